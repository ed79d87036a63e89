package dev.aigov.server.grpc;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.ErrorReason;
import dev.aigov.core.InvalidRequest;
import dev.aigov.server.error.AigovException;
import dev.aigov.server.error.CallerGone;
import dev.aigov.server.error.NotAuthenticated;
import dev.aigov.server.error.Overloaded;
import dev.aigov.server.error.PermissionDenied;
import dev.aigov.server.error.RequestIdReused;
import dev.aigov.server.error.StateStale;
import dev.aigov.server.error.StorageUnavailable;
import dev.aigov.server.error.TooManyFailedAuthentications;
import dev.aigov.server.error.UnknownControlKey;
import dev.aigov.server.error.VersionConflict;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.Optional;

/**
 * The one place failures become gRPC statuses: the code says what the caller can do, the message
 * which field, and one {@code google.rpc.ErrorInfo} (domain "aigov") says why, machine-readably.
 */
public final class StatusMapping {
    public static final String DOMAIN = "aigov";

    private StatusMapping() {
    }

    public static StatusRuntimeException toStatus(AigovException failure) {
        return status(code(failure), reason(failure), failure.getMessage(), failure.metadata());
    }

    /** INVALID_ARGUMENT for bad input, naming the field (the core's one error). */
    public static StatusRuntimeException toStatus(InvalidRequest invalid) {
        return status(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_FIELD, invalid.getMessage(),
                Map.of("field", invalid.field()));
    }

    /**
     * The status of a failure the caller can act on (bad input, or one of the server's {@link
     * AigovException}s); empty for anything else, which is a bug.
     */
    public static Optional<StatusRuntimeException> answerFor(Throwable failure) {
        return switch (failure) {
            case InvalidRequest invalid -> Optional.of(toStatus(invalid));
            case AigovException domain -> Optional.of(toStatus(domain));
            default -> Optional.empty();
        };
    }

    /** The ErrorInfo reason of a failure the caller can act on; empty for a bug. */
    public static Optional<ErrorReason> reasonFor(Throwable failure) {
        return switch (failure) {
            case InvalidRequest ignored -> Optional.of(ErrorReason.ERROR_REASON_INVALID_FIELD);
            case AigovException domain -> Optional.of(reason(domain));
            default -> Optional.empty();
        };
    }

    /** UNAVAILABLE for a fault that is not the caller's: safe to retry, and a client treats it as a block. */
    public static StatusRuntimeException unavailable(String message) {
        return status(Status.Code.UNAVAILABLE, ErrorReason.ERROR_REASON_SERVICE_UNAVAILABLE, message, Map.of());
    }

    /** INVALID_ARGUMENT for a request that is not one protobuf message: no field can be named. */
    public static StatusRuntimeException unparsableRequest(String method, String problem) {
        return status(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_FIELD,
                "the request to " + method + " " + problem, Map.of());
    }

    /**
     * Ends {@code call} with {@code refusal} (an interceptor's refusal, before any handler): a fresh
     * copy of its trailers each time, so that one prebuilt refusal serves every call.
     */
    public static void close(ServerCall<?, ?> call, StatusRuntimeException refusal) {
        Metadata trailers = new Metadata();
        if (refusal.getTrailers() != null) {
            trailers.merge(refusal.getTrailers());
        }
        call.close(refusal.getStatus(), trailers);
    }

    public static StatusRuntimeException status(Status.Code code, ErrorReason reason, String message, Map<String, String> metadata) {
        ErrorInfo info = ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason.name()).putAllMetadata(metadata).build();
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(message)
                .addDetails(Any.pack(info))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    static Status.Code code(AigovException failure) {
        return switch (failure) {
            case VersionConflict ignored -> Status.Code.ABORTED;
            case RequestIdReused ignored -> Status.Code.ALREADY_EXISTS;
            case UnknownControlKey ignored -> Status.Code.NOT_FOUND;
            case NotAuthenticated ignored -> Status.Code.UNAUTHENTICATED;
            case PermissionDenied ignored -> Status.Code.PERMISSION_DENIED;
            case StorageUnavailable ignored -> Status.Code.UNAVAILABLE;
            case StateStale ignored -> Status.Code.UNAVAILABLE;
            case Overloaded ignored -> Status.Code.UNAVAILABLE;
            case TooManyFailedAuthentications ignored -> Status.Code.RESOURCE_EXHAUSTED;
            // Whatever ended it (a cancel, or the deadline, which grpc-java reports itself), nobody reads this answer.
            case CallerGone ignored -> Status.Code.CANCELLED;
        };
    }

    public static ErrorReason reason(AigovException failure) {
        return switch (failure) {
            case VersionConflict ignored -> ErrorReason.ERROR_REASON_VERSION_CONFLICT;
            case RequestIdReused ignored -> ErrorReason.ERROR_REASON_REQUEST_ID_REUSED;
            case UnknownControlKey ignored -> ErrorReason.ERROR_REASON_UNKNOWN_CONTROL_KEY;
            case NotAuthenticated missing when missing.missing() -> ErrorReason.ERROR_REASON_MISSING_CREDENTIAL;
            case NotAuthenticated ignored -> ErrorReason.ERROR_REASON_INVALID_CREDENTIAL;
            case PermissionDenied denied when denied.workspaceNotPermitted() -> ErrorReason.ERROR_REASON_WORKSPACE_NOT_PERMITTED;
            case PermissionDenied ignored -> ErrorReason.ERROR_REASON_MISSING_CAPABILITY;
            case StorageUnavailable ignored -> ErrorReason.ERROR_REASON_STORAGE_UNAVAILABLE;
            case StateStale ignored -> ErrorReason.ERROR_REASON_STATE_STALE;
            case Overloaded ignored -> ErrorReason.ERROR_REASON_OVERLOADED;
            case TooManyFailedAuthentications ignored -> ErrorReason.ERROR_REASON_TOO_MANY_FAILED_AUTHENTICATIONS;
            case CallerGone ignored -> ErrorReason.ERROR_REASON_CALLER_GONE;
        };
    }
}
