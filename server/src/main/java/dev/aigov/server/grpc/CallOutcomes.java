package dev.aigov.server.grpc;

import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.ErrorReason;
import dev.aigov.server.error.CallerGone;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;

import java.util.Arrays;
import java.util.Optional;

/**
 * Sees how each call of aigov's services ends, for the metrics: the refusals of a caller (its
 * credential or its capability), by the ErrorInfo reason they were answered with, and the calls
 * whose caller had gone before they were answered ({@link CallerGone}), by how far they got.
 * Outermost, so it sees what the concurrency limit and authentication answer too.
 */
public final class CallOutcomes implements ServerInterceptor {

    /** Told of each call refused for who the caller is, and of each whose caller had gone. */
    public interface Listener {
        void callerRefused(String method, Status.Code code, ErrorReason reason);

        void callerGone(String method, CallerGone.Stage stage);
    }

    private final Listener listener;

    public CallOutcomes(Listener listener) {
        this.listener = listener;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                Status.Code code = status.getCode();
                if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED
                        || code == Status.Code.RESOURCE_EXHAUSTED) {
                    listener.callerRefused(call.getMethodDescriptor().getBareMethodName(), code, reason(status, trailers));
                } else if (code == Status.Code.CANCELLED) {
                    stageGone(status, trailers)
                            .ifPresent(stage -> listener.callerGone(call.getMethodDescriptor().getBareMethodName(), stage));
                }
                super.close(status, trailers);
            }
        }, headers);
    }

    static ErrorReason reason(Status status, Metadata trailers) {
        return errorInfo(status, trailers).map(info -> {
            try {
                return ErrorReason.valueOf(info.getReason());
            } catch (IllegalArgumentException notOurs) {
                return ErrorReason.ERROR_REASON_UNSPECIFIED;
            }
        }).orElse(ErrorReason.ERROR_REASON_UNSPECIFIED);
    }

    /** The stage of a {@link CallerGone} answer; empty for any other CANCELLED (grpc-java's own). */
    static Optional<CallerGone.Stage> stageGone(Status status, Metadata trailers) {
        return errorInfo(status, trailers)
                .filter(info -> info.getReason().equals(ErrorReason.ERROR_REASON_CALLER_GONE.name()))
                .flatMap(info -> Arrays.stream(CallerGone.Stage.values())
                        .filter(stage -> stage.label().equals(info.getMetadataOrDefault("stage", ""))).findFirst());
    }

    private static Optional<ErrorInfo> errorInfo(Status status, Metadata trailers) {
        com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
        for (com.google.protobuf.Any detail : details.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                try {
                    return Optional.of(detail.unpack(ErrorInfo.class));
                } catch (com.google.protobuf.InvalidProtocolBufferException notOurs) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
