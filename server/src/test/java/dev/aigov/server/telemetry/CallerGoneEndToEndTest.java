package dev.aigov.server.telemetry;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static dev.aigov.server.testing.Eventually.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.config.TelemetryConfig;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.HeldBatches;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.Scrape;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A decision whose caller cancels while it waits for the audit writer is not recorded, and the
 * scrape counts it as a caller gone at the recording stage: not as an overload refusal, not as an
 * OVERLOADED failure.
 */
class CallerGoneEndToEndTest {
    private static final HotPathConfig ONE_WRITER = new HotPathConfig(Duration.ofSeconds(1), 100, 500, 1);
    private static final TelemetryConfig METRICS = new TelemetryConfig(TelemetryConfig.ANY_FREE_PORT, "127.0.0.1", Optional.empty());

    @RegisterExtension
    static final AigovServerExtension SERVER = AigovServerExtension.configured(WithAigovServer.Transport.NETTY,
            c -> new ServerConfig(c.bindAddress(), c.grpcPort(), c.httpPort(), c.tls(), c.shutdownGrace(), c.database(), ONE_WRITER,
                    c.authLimits(), METRICS, c.overload()));

    @Test
    void aDecisionCancelledWhileItWaitsForTheAuditWriterCountsAsCallerGoneNotAsOverload(TestServer server, Clients clients)
            throws Exception {
        String admin = server.adminToken();
        DecisionServiceGrpc.DecisionServiceFutureStub async =
                Clients.withToken(DecisionServiceGrpc.newFutureStub(clients.channel()), admin);
        clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(freshWorkspace()).build());
        HeldBatches batches = HeldBatches.holdEveryBatchOf(server.auditWriter());
        String first = freshWorkspace();
        ListenableFuture<EvaluateAiRequestResponse> holding = async.evaluateAiRequest(Requests.answerDraft(first).build());
        assertThat(batches.awaitHeld(Duration.ofSeconds(10))).isTrue();
        String cancelled = freshWorkspace();
        ListenableFuture<EvaluateAiRequestResponse> leaving = async.evaluateAiRequest(Requests.answerDraft(cancelled).build());
        within(Duration.ofSeconds(10), () -> server.auditWriter().queued() == 1);
        Scrape before = Scrape.of(server.metricsPort());
        assertThat(before.sum("aigov_concurrency_in_flight", Map.of())).isEqualTo(2);

        leaving.cancel(true);
        // The server has seen it go: the concurrency limit released its slot.
        within(Duration.ofSeconds(10), () -> Scrape.of(server.metricsPort()).sum("aigov_concurrency_in_flight", Map.of()) == 1);
        batches.release();
        assertThat(holding.get(10, TimeUnit.SECONDS).getDecision().hasEvaluatedAt()).isTrue();
        within(Duration.ofSeconds(10), () -> Scrape.of(server.metricsPort()).sum("aigov_callers_gone_total",
                Map.of("stage", "recording")) > before.sum("aigov_callers_gone_total", Map.of("stage", "recording")));

        Scrape after = Scrape.of(server.metricsPort());
        assertThat(delta(before, after, "aigov_callers_gone_total", Map.of("stage", "recording"))).isEqualTo(1);
        assertThat(delta(before, after, "aigov_callers_gone_total", Map.of())).isEqualTo(1);
        assertThat(delta(before, after, "aigov_decision_failures_total", Map.of("reason", "caller_gone"))).isEqualTo(1);
        assertThat(delta(before, after, "aigov_decision_failures_total", Map.of("reason", "overloaded"))).isZero();
        assertThat(delta(before, after, "aigov_overload_refusals_total", Map.of())).isZero();
        assertThat(server.auditWriter().queued()).isZero();
        assertThat(Clients.auditEventsForWorkspace(server.dataSource(), first)).isEqualTo(1);
        assertThat(Clients.auditEventsForWorkspace(server.dataSource(), cancelled)).isZero();
    }

    private static double delta(Scrape before, Scrape after, String name, Map<String, String> labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }
}
