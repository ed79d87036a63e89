package dev.aigov.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * Sends the caller's trace context (W3C {@code traceparent}, or whatever the caller's propagators
 * say) with each call, so that aigov's span of the call joins the caller's trace. Used only when
 * grpc-java's own (experimental) client spans are off: they send it themselves.
 */
final class TraceContextPropagation implements ClientInterceptor {
    private static final TextMapSetter<Metadata> HEADERS =
            (headers, key, value) -> headers.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);

    private final TextMapPropagator propagator;

    TraceContextPropagation(TextMapPropagator propagator) {
        this.propagator = propagator;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        Context caller = Context.current();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                propagator.inject(caller, headers, HEADERS);
                super.start(listener, headers);
            }
        };
    }

    /** Whether grpc-java makes client spans (and sends their context) itself. */
    static boolean grpcTracesCalls() {
        String flag = System.getenv("GRPC_EXPERIMENTAL_ENABLE_OTEL_TRACING");
        if (flag == null) {
            flag = System.getProperty("GRPC_EXPERIMENTAL_ENABLE_OTEL_TRACING");
        }
        return flag != null && Boolean.parseBoolean(flag.strip());
    }
}
