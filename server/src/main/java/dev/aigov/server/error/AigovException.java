package dev.aigov.server.error;

import java.util.Map;

/**
 * A failure the caller can act on. Services throw these; {@code grpc.StatusMapping} is the one
 * place that turns them into gRPC status codes with a {@code google.rpc.ErrorInfo}.
 */
public abstract sealed class AigovException extends RuntimeException
        permits VersionConflict, RequestIdReused, UnknownControlKey,
        NotAuthenticated, PermissionDenied, StorageUnavailable, StateStale, Overloaded,
        TooManyFailedAuthentications, CallerGone {

    protected AigovException(String message) {
        super(message, null, false, false);
    }

    protected AigovException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** The ErrorInfo metadata: which field, capability or version the failure is about. */
    public abstract Map<String, String> metadata();
}
