package dev.aigov.server.grpc;

import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.ErrorReason;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;

/**
 * Sees how each call of aigov's services ends, for the metrics: the refusals of a caller (its
 * credential or its capability), by the ErrorInfo reason they were answered with. Outermost, so it
 * sees refusals of the authentication and the concurrency limit too.
 */
public final class CallOutcomes implements ServerInterceptor {

    /** Told of each call refused for who the caller is. */
    @FunctionalInterface
    public interface Listener {
        void callerRefused(String method, Status.Code code, ErrorReason reason);
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
                }
                super.close(status, trailers);
            }
        }, headers);
    }

    static ErrorReason reason(Status status, Metadata trailers) {
        com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
        for (com.google.protobuf.Any detail : details.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                try {
                    ErrorReason reason = ErrorReason.valueOf(detail.unpack(ErrorInfo.class).getReason());
                    return reason;
                } catch (com.google.protobuf.InvalidProtocolBufferException | IllegalArgumentException notOurs) {
                    return ErrorReason.ERROR_REASON_UNSPECIFIED;
                }
            }
        }
        return ErrorReason.ERROR_REASON_UNSPECIFIED;
    }
}
