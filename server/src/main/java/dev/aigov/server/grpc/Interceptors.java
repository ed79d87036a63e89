package dev.aigov.server.grpc;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every interceptor of aigov's services, declared once, outermost first: the order a call meets
 * them in. Health and reflection pass none of them.
 *
 * @param clientVersions the client's version, on the call's context (for the audit and the metrics)
 * @param outcomes       how each call ended (for the metrics): outside the rest, so it sees their refusals
 * @param limiter        the concurrency limit, before any work (absent when turned off)
 * @param faults         the tests' fault injectors (none in production)
 * @param authentication who is calling
 * @param authorization  whether it may call this method
 */
public record Interceptors(ClientVersions clientVersions, CallOutcomes outcomes, Optional<OverloadLimiter> limiter,
        List<ServerInterceptor> faults, AuthInterceptor authentication, Authorization authorization) {

    public Interceptors {
        faults = List.copyOf(faults);
    }

    /** The interceptors in the order a call meets them. */
    public List<ServerInterceptor> outermostFirst() {
        List<ServerInterceptor> chain = new ArrayList<>();
        chain.add(clientVersions);
        chain.add(outcomes);
        limiter.ifPresent(chain::add);
        chain.addAll(faults);
        chain.add(authentication);
        chain.add(authorization);
        return List.copyOf(chain);
    }

    /**
     * {@code service} behind every interceptor, in {@link #outermostFirst()} order, answering bytes that
     * are no message with INVALID_ARGUMENT (grpc-java would answer UNKNOWN). Throws when the table of
     * capabilities lacks one of its methods: such a server must not start.
     */
    public ServerServiceDefinition around(BindableService service) {
        ServerServiceDefinition definition = service.bindService();
        Authorization.requireRowsFor(definition.getServiceDescriptor());
        return UnparsableRequests.answeredAsInvalidArgument(ServerInterceptors.interceptForward(definition, outermostFirst()));
    }
}
