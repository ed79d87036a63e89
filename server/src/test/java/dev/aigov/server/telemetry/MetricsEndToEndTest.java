package dev.aigov.server.telemetry;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static dev.aigov.server.testing.Eventually.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.Scrape;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A real server's {@code /metrics} after a known sequence of calls: the exact counts of decisions by
 * outcome, reason, use case and provider class; refused callers by reason; the pause gauges; and
 * grpc-java's own per-method metrics; and every metric of aigov it serves is documented in
 * docs/operations.md's table. On a database of its own: it pauses AI globally.
 */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY, privateDatabase = true, metrics = true)
class MetricsEndToEndTest {
    private final TestServer server;
    private final Clients clients;

    MetricsEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
    }

    @Test
    void aScrapeCountsExactlyTheDecisionsRefusalsAndPauseOfAKnownSequence() {
        String admin = server.adminToken();
        String allowed = freshWorkspace();
        String unset = freshWorkspace();
        clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(allowed).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        DecisionServiceGrpc.DecisionServiceBlockingStub decisions = clients.decisions(admin);
        within(Duration.ofSeconds(5), () -> decisions.evaluateAiRequest(Requests.answerDraft(allowed).build()).getDecision()
                .getOutcome() == dev.aigov.api.v1.Outcome.OUTCOME_ALLOW);
        Scrape before = Scrape.of(server.metricsPort());

        for (int i = 0; i < 4; i++) {
            decisions.evaluateAiRequest(Requests.answerDraft(allowed).build());
        }
        for (int i = 0; i < 3; i++) {
            decisions.evaluateAiRequest(Requests.answerDraft(allowed).setUseCase("retired.use_case").build());
        }
        for (int i = 0; i < 2; i++) {
            decisions.evaluateAiRequest(Requests.answerDraft(unset).build());
        }
        for (int i = 0; i < 2; i++) {
            String forged = "aigov_" + "A".repeat(43);
            assertThatThrownBy(() -> clients.decisions(forged).evaluateAiRequest(Requests.answerDraft(allowed).build()))
                    .isInstanceOf(StatusRuntimeException.class);
        }
        clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                .setState(ControlState.CONTROL_STATE_PAUSED).setReason("metrics drill").build());
        within(Duration.ofSeconds(5), () -> Scrape.of(server.metricsPort()).sum("aigov_execution_paused_global", Map.of()) == 1);
        decisions.evaluateAiRequest(Requests.answerDraft(allowed).build());

        Scrape after = Scrape.of(server.metricsPort());
        String decided = "aigov_decisions_total";
        assertThat(delta(before, after, decided, Map.of("outcome", "allow", "reason", "none",
                "use_case", "product_knowledge.answer_draft", "provider_class", "local_private"))).isEqualTo(4);
        assertThat(delta(before, after, decided, Map.of("outcome", "block", "reason", "use_case_not_approved", "use_case", "other")))
                .isEqualTo(3);
        assertThat(delta(before, after, decided, Map.of("outcome", "block", "reason", "workspace_policy_disabled")))
                .isEqualTo(2);
        assertThat(delta(before, after, decided, Map.of("outcome", "block", "reason", "ai_execution_paused"))).isEqualTo(1);
        assertThat(delta(before, after, decided, Map.of())).isEqualTo(10);
        assertThat(delta(before, after, "aigov_decision_duration_seconds_count", Map.of())).isEqualTo(10);
        assertThat(delta(before, after, "aigov_auth_failures_total", Map.of("reason", "invalid_credential"))).isEqualTo(2);
        // These test stubs announce no client version.
        assertThat(delta(before, after, "aigov_client_evaluations_total", Map.of("client_version", "none"))).isEqualTo(10);
        assertThat(delta(before, after, "grpc_server_call_duration_seconds_count",
                Map.of("grpc_method", "aigov.v1.DecisionService/EvaluateAiRequest", "grpc_status", "OK"))).isEqualTo(10);
        assertThat(delta(before, after, "grpc_server_call_duration_seconds_count",
                Map.of("grpc_method", "aigov.v1.DecisionService/EvaluateAiRequest", "grpc_status", "UNAUTHENTICATED"))).isEqualTo(2);
        assertThat(after.sum("aigov_execution_paused_global", Map.of())).isEqualTo(1);
        assertThat(after.sum("aigov_execution_paused_workspaces", Map.of())).isZero();
        assertThat(after.sum("aigov_execution_global_pause_age_seconds", Map.of())).isBetween(0.0, 60.0);
        assertThat(delta(before, after, "aigov_audit_batch_size_count", Map.of())).isPositive();
        assertThat(after.sum("aigov_serving", Map.of())).isEqualTo(1);
        // Housekeeping's first round at start keeps two months ready (the default partition is none of them).
        within(Duration.ofSeconds(10), () -> Scrape.of(server.metricsPort()).sum("aigov_audit_partitions_ahead", Map.of()) == 2);
        assertThat(after.sum("aigov_state_age_seconds", Map.of())).isBetween(0.0, 1.0);
        // What the alert rules and the dashboard query exists in a real scrape (the pause included). The GC
        // histogram exists once the JVM collected after the server started: a collection is asked for.
        System.gc();
        java.util.Set<String> queried = new java.util.TreeSet<>(DeployedMetricNames.inAlertRules());
        queried.addAll(DeployedMetricNames.inDashboard());
        within(Duration.ofSeconds(10), () -> Scrape.of(server.metricsPort()).names().containsAll(queried));

        clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                .setState(ControlState.CONTROL_STATE_ENABLED).setReason("drill over").build());
        within(Duration.ofSeconds(5), () -> Scrape.of(server.metricsPort()).sum("aigov_execution_paused_global", Map.of()) == 0);
        assertThat(Scrape.of(server.metricsPort()).has("aigov_execution_global_pause_age_seconds", Map.of())).isFalse();
    }

    @Test
    void everyMetricOfAigovInAScrapeIsInTheOperationsGuidesTable() {
        String admin = server.adminToken();
        clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(freshWorkspace()).build());
        Set<String> documented = new TreeSet<>();
        Markdown.read(RepositoryFiles.root().resolve("docs/operations.md")).tableRows("Metrics")
                .forEach(row -> documented.add(row.get(0)));
        assertThat(documented).as("metrics in docs/operations.md").contains("aigov_decisions_total");
        Set<String> scraped = new TreeSet<>();
        for (String name : Scrape.of(server.metricsPort()).names()) {
            if (name.startsWith("aigov_")) {
                // A histogram is documented by its base name.
                scraped.add(name.replaceFirst("_(bucket|count|sum)$", ""));
            }
        }
        assertThat(scraped).as("aigov's metrics in a scrape").contains("aigov_decision_duration_seconds", "aigov_serving");
        assertThat(documented).as("metrics in docs/operations.md's table").containsAll(scraped);
    }

    private static double delta(Scrape before, Scrape after, String name, Map<String, String> labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }
}
