package dev.aigov.server.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Answers a request whose bytes are not a protobuf message with INVALID_ARGUMENT
 * (ERROR_REASON_INVALID_FIELD), not grpc-java's UNKNOWN "Application error processing RPC".
 *
 * <p>grpc-java parses a request before any interceptor's listener sees it, and when that fails it
 * closes the stream itself, past every interceptor. {@link #answeredAsInvalidArgument} therefore
 * binds the service to take raw streams ({@link ServerInterceptors#useInputStreamMessages}), which
 * moves the parsing into the listener chain, and puts this interceptor outside it to catch the
 * failure. Authentication still runs first: the body is parsed only after the call has started.
 * ({@code useInputStreamMessages} is marked experimental in grpc-java; it is what grpc-java offers
 * for exactly this, and a test sends such bytes to every method.)
 */
public final class UnparsableRequests implements ServerInterceptor {

    private UnparsableRequests() {
    }

    /** {@code service}, answering unparsable requests with INVALID_ARGUMENT. */
    public static ServerServiceDefinition answeredAsInvalidArgument(ServerServiceDefinition service) {
        return ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(service), new UnparsableRequests());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        // An inner interceptor may already have answered (no credential): a call is closed only once.
        AtomicBoolean closed = new AtomicBoolean();
        ServerCall<Q, R> tracked = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                closed.set(true);
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(tracked, headers)) {
            private boolean rejected;
            private int messages;

            @Override
            public void onMessage(Q message) {
                // Every aigov method takes one request (unary, or server-streaming): a second message is malformed input, answered once the
                // client has finished sending (the transport may still reset such a stream as CANCELLED).
                if (++messages > 1 || rejected) {
                    return;
                }
                try {
                    super.onMessage(message);
                } catch (StatusRuntimeException failure) {
                    // grpc's protobuf marshaller reports a malformed message as INTERNAL caused by this.
                    if (!(failure.getCause() instanceof InvalidProtocolBufferException unparsable)) {
                        throw failure;
                    }
                    reject("is not a valid protobuf message: " + unparsable.getMessage());
                }
            }

            @Override
            public void onHalfClose() {
                if (messages == 0) {
                    reject("ended without a request message");
                } else if (messages > 1) {
                    reject("sent " + messages + " request messages to a unary method");
                }
                // The service never received a (single, valid) request: it must not answer a second time.
                if (!rejected) {
                    super.onHalfClose();
                }
            }

            private void reject(String problem) {
                rejected = true;
                if (closed.compareAndSet(false, true)) {
                    StatusRuntimeException answer =
                            StatusMapping.unparsableRequest(call.getMethodDescriptor().getFullMethodName(), problem);
                    call.close(answer.getStatus(), answer.getTrailers());
                }
            }
        };
    }
}
