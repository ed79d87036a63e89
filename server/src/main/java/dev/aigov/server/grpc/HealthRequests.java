package dev.aigov.server.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;

import java.util.regex.Pattern;

/**
 * Answers a health check (Check or Watch) for a service name that no service could have (too
 * long, or characters outside a gRPC service name) with a short INVALID_ARGUMENT, instead of
 * echoing the whole name in a NOT_FOUND trailer: a 512 KiB trailer jams a grpc-js connection.
 */
public final class HealthRequests implements ServerInterceptor {
    /** Longer than any aigov service name ("aigov.v1.ExecutionControlService") by far. */
    public static final int MAX_SERVICE_NAME = 200;
    private static final Pattern SERVICE_NAME = Pattern.compile("[A-Za-z0-9._/-]*");

    private HealthRequests() {
    }

    /** The health service, with malformed names answered briefly. */
    public static ServerServiceDefinition bounded(io.grpc.BindableService health) {
        return ServerInterceptors.intercept(health, new HealthRequests());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (message instanceof HealthCheckRequest request && !plausible(request.getService())) {
                    refused = true;
                    call.close(Status.INVALID_ARGUMENT.withDescription("the service name must be at most " + MAX_SERVICE_NAME
                            + " characters of [A-Za-z0-9._/-] (got " + request.getService().length() + " characters)"), new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onReady() {
                if (!refused) {
                    super.onReady();
                }
            }
        };
    }

    private static boolean plausible(String service) {
        return service.length() <= MAX_SERVICE_NAME && SERVICE_NAME.matcher(service).matches();
    }
}
