package dev.aigov.client;

/**
 * ErrorReason is the machine-readable reason of an aigov error, from the {@code google.rpc.ErrorInfo}
 * it carries: the server's {@code aigov.v1.ErrorReason} without its prefix. {@link #NONE} when the
 * failure carried no ErrorInfo; {@link #UNRECOGNIZED} for a reason a newer server sent that this
 * client version does not know ({@link GovernanceFailure#errorReasonName()} keeps its name).
 */
public enum ErrorReason {
    /** The failure carried no ErrorInfo: the client made it up, or something other than aigov answered. */
    NONE,
    /** A field is missing, malformed or out of range; metadata {@code field} names it. */
    INVALID_FIELD,
    /** No {@code authorization: Bearer <token>} header. */
    MISSING_CREDENTIAL,
    /** The token is unknown, malformed or revoked. */
    INVALID_CREDENTIAL,
    /** The token lacks the capability the call needs; metadata {@code capability} names it. */
    MISSING_CAPABILITY,
    /** The token's capability is limited to other workspaces; metadata {@code field} names the field. */
    WORKSPACE_NOT_PERMITTED,
    /** The control key is not one aigov knows. */
    UNKNOWN_CONTROL_KEY,
    /** The expected version is not the current one; metadata {@code current_version} gives it. */
    VERSION_CONFLICT,
    /** The request id was already used for a different request. */
    REQUEST_ID_REUSED,
    /** The database or the audit path cannot be reached. */
    STORAGE_UNAVAILABLE,
    /** The server cannot answer now (shutting down, overloaded, a logged fault). */
    SERVICE_UNAVAILABLE,
    /** The replica could not confirm its decision state is current. */
    STATE_STALE,
    /** The server has more work queued than it can record in time. */
    OVERLOADED,
    /** This host failed to authenticate too often; metadata {@code retry_after_ms} says when to try again. */
    TOO_MANY_FAILED_AUTHENTICATIONS,
    /**
     * The call had ended on the caller's side (cancelled, or past its deadline) before the server
     * answered; metadata {@code stage} says how far it got. Rarely seen: the caller's own status comes first.
     */
    CALLER_GONE,
    /** A reason this client version does not know. */
    UNRECOGNIZED;

    /** The reason named by an ErrorInfo, for example {@code ERROR_REASON_INVALID_FIELD}; empty is {@link #NONE}. */
    static ErrorReason fromName(String name) {
        if (name.isEmpty()) {
            return NONE;
        }
        dev.aigov.api.v1.ErrorReason proto;
        try {
            proto = dev.aigov.api.v1.ErrorReason.valueOf(name);
        } catch (IllegalArgumentException unknown) {
            return UNRECOGNIZED;
        }
        return switch (proto) {
            case ERROR_REASON_INVALID_FIELD -> INVALID_FIELD;
            case ERROR_REASON_MISSING_CREDENTIAL -> MISSING_CREDENTIAL;
            case ERROR_REASON_INVALID_CREDENTIAL -> INVALID_CREDENTIAL;
            case ERROR_REASON_MISSING_CAPABILITY -> MISSING_CAPABILITY;
            case ERROR_REASON_WORKSPACE_NOT_PERMITTED -> WORKSPACE_NOT_PERMITTED;
            case ERROR_REASON_UNKNOWN_CONTROL_KEY -> UNKNOWN_CONTROL_KEY;
            case ERROR_REASON_VERSION_CONFLICT -> VERSION_CONFLICT;
            case ERROR_REASON_REQUEST_ID_REUSED -> REQUEST_ID_REUSED;
            case ERROR_REASON_STORAGE_UNAVAILABLE -> STORAGE_UNAVAILABLE;
            case ERROR_REASON_SERVICE_UNAVAILABLE -> SERVICE_UNAVAILABLE;
            case ERROR_REASON_STATE_STALE -> STATE_STALE;
            case ERROR_REASON_OVERLOADED -> OVERLOADED;
            case ERROR_REASON_TOO_MANY_FAILED_AUTHENTICATIONS -> TOO_MANY_FAILED_AUTHENTICATIONS;
            case ERROR_REASON_CALLER_GONE -> CALLER_GONE;
            default -> UNRECOGNIZED;
        };
    }
}
