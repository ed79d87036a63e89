package dev.aigov.server.telemetry;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.server.config.TelemetryConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * With AIGOV_OTLP_ENDPOINT set, metrics and the spans of a sampled call are sent by OTLP over HTTP
 * (protobuf) to that endpoint; what is buffered goes out when the server stops.
 */
class OtlpExportTest {

    @Test
    void metricsAndASampledCallsSpansReachTheOtlpEndpoint() throws IOException {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type") + " " + (body.length > 0));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + collector.getAddress().getPort());
            try (TestServer server = TestServer.startAdjusted(TestDatabase.shared(),
                    config -> config.withTelemetry(new TelemetryConfig(0, "127.0.0.1", Optional.of(endpoint))));
                 Clients clients = new Clients(server)) {
                // A caller whose trace is sampled: parent-based sampling keeps it.
                Metadata traced = new Metadata();
                traced.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
                DecisionServiceGrpc.DecisionServiceBlockingStub decisions = clients.decisions(server.adminToken())
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(traced));
                decisions.evaluateAiRequest(Requests.answerDraft(freshWorkspace()).build());
            }
            assertThat(received).contains("POST /v1/traces application/x-protobuf true", "POST /v1/metrics application/x-protobuf true");
        } finally {
            collector.stop(0);
        }
    }
}
