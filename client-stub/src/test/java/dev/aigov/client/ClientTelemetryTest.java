package dev.aigov.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.telemetry.Telemetry;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The client opted into OpenTelemetry: aigov's span of a decision joins the caller's trace, and the
 * client reports grpc-java's standard client metrics through the caller's SDK.
 */
class ClientTelemetryTest {

    @Test
    void aDecisionJoinsTheCallersTraceAndTheClientReportsGrpcMetrics() {
        InMemorySpanExporter serverSpans = InMemorySpanExporter.create();
        InMemoryMetricReader clientMetrics = InMemoryMetricReader.create();
        try (TestServer server = TestServer.startAdjusted(TestDatabase.shared(), config -> config,
                config -> Telemetry.start(config.telemetry(),
                        Optional.of(spans -> spans.addSpanProcessor(SimpleSpanProcessor.create(serverSpans)))));
             OpenTelemetrySdk caller = OpenTelemetrySdk.builder()
                     .setTracerProvider(SdkTracerProvider.builder().build())
                     .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(clientMetrics).build())
                     .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                     .build();
             AiGovernanceClient client = AiGovernanceClient.builder(server.target()).plaintext()
                     .bearerToken(server.adminToken()).deadline(Duration.ofSeconds(10))
                     .openTelemetry(caller).build()) {
            Span work = caller.getTracer("caller").spanBuilder("draft an answer").startSpan();
            AiDecision decision;
            try (Scope ignored = work.makeCurrent()) {
                decision = client.evaluate(Requests.productAnswer("ws-" + UUID.randomUUID()).build());
            } finally {
                work.end();
            }
            assertThat(decision.decisionId()).isNotEmpty();
            String traceId = work.getSpanContext().getTraceId();

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            List<SpanData> trace = List.of();
            while (System.nanoTime() < deadline && trace.stream().noneMatch(span -> span.getName().startsWith("Recv."))) {
                trace = serverSpans.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
                Thread.onSpinWait();
            }
            assertThat(trace).anySatisfy(span -> {
                assertThat(span.getName()).isEqualTo("Recv.aigov.v1.DecisionService.EvaluateAiRequest");
                assertThat(span.getAttributes().get(AttributeKey.stringKey("aigov.decision.outcome"))).isEqualTo("block");
            });

            List<String> names = new ArrayList<>();
            for (MetricData metric : clientMetrics.collectAllMetrics()) {
                names.add(metric.getName());
            }
            assertThat(names).contains("grpc.client.call.duration", "grpc.client.attempt.started");
            MetricData duration = clientMetrics.collectAllMetrics().stream()
                    .filter(metric -> metric.getName().equals("grpc.client.call.duration")).findFirst().orElseThrow();
            assertThat(duration.getHistogramData().getPoints()).anySatisfy(point -> assertThat(
                    point.getAttributes().get(AttributeKey.stringKey("grpc.method")))
                    .isEqualTo("aigov.v1.DecisionService/EvaluateAiRequest"));
        }
    }

    @Test
    void withoutGrpcsOwnSpansTheCallersContextIsSentAsATraceparent() {
        try (SdkTracerProvider tracing = SdkTracerProvider.builder().build()) {
            Span work = tracing.get("caller").spanBuilder("draft an answer").startSpan();
            List<Metadata> sent = new ArrayList<>();
            Channel capturing = new Channel() {
                @Override
                public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
                    return new ClientCall<>() {
                        @Override
                        public void start(Listener<R> listener, Metadata headers) {
                            sent.add(headers);
                        }

                        @Override
                        public void request(int numMessages) {
                        }

                        @Override
                        public void cancel(String message, Throwable cause) {
                        }

                        @Override
                        public void halfClose() {
                        }

                        @Override
                        public void sendMessage(Q message) {
                        }
                    };
                }

                @Override
                public String authority() {
                    return "aigov";
                }
            };
            Channel traced = ClientInterceptors.intercept(capturing, new TraceContextPropagation(W3CTraceContextPropagator.getInstance()));
            try (Scope ignored = work.makeCurrent()) {
                traced.newCall(dev.aigov.api.v1.DecisionServiceGrpc.getEvaluateAiRequestMethod(), CallOptions.DEFAULT)
                        .start(new ClientCall.Listener<>() {
                        }, new Metadata());
            } finally {
                work.end();
            }
            assertThat(sent).singleElement().satisfies(headers -> assertThat(
                    headers.get(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER)))
                    .isEqualTo("00-" + work.getSpanContext().getTraceId() + "-" + work.getSpanContext().getSpanId() + "-"
                            + work.getSpanContext().getTraceFlags().asHex()));
        }
    }
}
