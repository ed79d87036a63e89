package dev.aigov.client;

/**
 * StatusCode is the status code of a failed call, with gRPC's names and numbers, so that callers
 * need no gRPC type to read a {@link GovernanceFailure}. A code the client made up for a failure
 * that never reached the server says so in {@link GovernanceFailure#description()}.
 */
public enum StatusCode {
    /** Never the code of a failure; kept so that the numbers match gRPC's. */
    OK,
    /** The call was cancelled, usually by the caller. */
    CANCELLED,
    /** An error with no better code. */
    UNKNOWN,
    /** The request is malformed; the ErrorInfo metadata {@code field} names the field. */
    INVALID_ARGUMENT,
    /** The deadline passed before an answer came. */
    DEADLINE_EXCEEDED,
    /** Something named in the request does not exist (an unknown control key). */
    NOT_FOUND,
    /** The request id was already used for a different request. */
    ALREADY_EXISTS,
    /** The token lacks the capability, or its capability is limited to other workspaces. */
    PERMISSION_DENIED,
    /** A limit was reached: a message too large, or too many failed authentications from this host. */
    RESOURCE_EXHAUSTED,
    /** The system is not in the state the request needs. */
    FAILED_PRECONDITION,
    /** A conflict: the expected version is not the current one. */
    ABORTED,
    /** A value is out of range. */
    OUT_OF_RANGE,
    /** The server does not implement the method (an older server, or not aigov). */
    UNIMPLEMENTED,
    /** A bug, on the server, or an answer this client cannot trust. */
    INTERNAL,
    /** The server cannot be reached or cannot answer now; safe to retry. */
    UNAVAILABLE,
    /** Unrecoverable data loss. */
    DATA_LOSS,
    /** No, a bad or a revoked credential. */
    UNAUTHENTICATED
}
