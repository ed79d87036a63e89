package dev.aigov.server.telemetry;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static dev.aigov.server.testing.Eventually.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An evaluation under a caller's trace: the server's RPC span continues the caller's trace (W3C
 * trace context), carries the decision's outcome and reason, and has the state read and the audit
 * commit as children.
 */
class TracingEndToEndTest {
    private static final String RPC_SPAN = "Recv.aigov.v1.DecisionService.EvaluateAiRequest";

    @Test
    void theRpcSpanContinuesTheCallersTraceWithTheOutcomeAndTwoChildren() {
        InMemorySpanExporter exported = InMemorySpanExporter.create();
        try (TestServer server = TestServer.startAdjusted(TestDatabase.shared(), config -> config,
                config -> Telemetry.start(config.telemetry(),
                        Optional.of(spans -> spans.addSpanProcessor(SimpleSpanProcessor.create(exported)))));
             Clients clients = new Clients(server);
             SdkTracerProvider callerTracing = SdkTracerProvider.builder().build()) {
            String admin = server.adminToken();
            String workspace = freshWorkspace();
            clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                    .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());

            Span caller = callerTracing.get("caller").spanBuilder("answer a question").startSpan();
            try (Scope ignored = caller.makeCurrent()) {
                Channel traced = ClientInterceptors.intercept(clients.channel(), new TraceContextInjector());
                Clients.withToken(dev.aigov.api.v1.DecisionServiceGrpc.newBlockingStub(traced), admin)
                        .evaluateAiRequest(Requests.answerDraft(workspace).build());
            } finally {
                caller.end();
            }
            String traceId = caller.getSpanContext().getTraceId();

            within(Duration.ofSeconds(10), () -> exported.getFinishedSpanItems().stream()
                    .filter(span -> span.getTraceId().equals(traceId)).count() >= 3);
            List<SpanData> trace = exported.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
            SpanData rpc = trace.stream().filter(span -> span.getName().equals(RPC_SPAN)).findFirst().orElseThrow();
            assertThat(rpc.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
            assertThat(rpc.getAttributes().get(AttributeKey.stringKey("aigov.decision.outcome"))).isEqualTo("allow");
            assertThat(rpc.getAttributes().get(AttributeKey.stringKey("aigov.decision.reason"))).isEqualTo("none");
            assertThat(rpc.getAttributes().get(AttributeKey.stringKey("aigov.decision.id"))).isNotBlank();
            assertThat(trace).filteredOn(span -> span.getName().equals("aigov.state.read"))
                    .singleElement().satisfies(span -> assertThat(span.getParentSpanId()).isEqualTo(rpc.getSpanId()));
            assertThat(trace).filteredOn(span -> span.getName().equals("aigov.audit.commit"))
                    .singleElement().satisfies(span -> assertThat(span.getParentSpanId()).isEqualTo(rpc.getSpanId()));
            // Metadata only: no request payload in any attribute.
            assertThat(trace).allSatisfy(span -> assertThat(span.getAttributes().asMap().values().toString())
                    .doesNotContain(workspace).doesNotContain(admin));
        }
    }

    /** What an instrumented caller sends: the current context as a W3C traceparent header. */
    private static final class TraceContextInjector implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    W3CTraceContextPropagator.getInstance().inject(Context.current(), headers,
                            (carrier, key, value) -> carrier.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value));
                    super.start(listener, headers);
                }
            };
        }
    }
}
