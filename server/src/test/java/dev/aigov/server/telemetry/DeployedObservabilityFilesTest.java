package dev.aigov.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/alerts.yml and deploy/grafana/aigov-dashboard.json without a Prometheus or a
 * Grafana: they parse, every alert says how bad it is and where its runbook is (a heading of
 * docs/runbook.md, which has one for every alert and no other), every panel queries something, and
 * the metric names they query look like aigov's. Whether those names exist in a real scrape is for a
 * test with a running server.
 */
class DeployedObservabilityFilesTest {
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    private static final String RUNBOOK = "docs/runbook.md";

    @Test
    void everyAlertHasAnExpressionADelayASeverityAndAWorkingRunbook() {
        List<Map<String, Object>> rules = DeployedMetricNames.alertRules();
        assertThat(rules).as("alert rules").isNotEmpty();
        Markdown runbooks = Markdown.read(RepositoryFiles.root().resolve(RUNBOOK));
        Set<String> anchors = runbooks.anchors();
        Set<String> names = new HashSet<>();
        for (Map<String, Object> rule : rules) {
            String alert = String.valueOf(rule.get("alert"));
            assertThat(names.add(alert)).as("alert %s is defined once", alert).isTrue();
            assertThat(rule.get("expr")).as("%s expr", alert).isInstanceOf(String.class);
            assertThat(String.valueOf(rule.get("for"))).as("%s for", alert).matches("\\d+[smhd]");
            assertThat(nested(rule, "labels", "severity")).as("%s labels.severity", alert).isIn(SEVERITIES);
            for (String annotation : List.of("summary", "description", "runbook")) {
                assertThat(nested(rule, "annotations", annotation)).as("%s annotations.%s", alert, annotation).isNotBlank();
            }
            String runbook = nested(rule, "annotations", "runbook");
            // A path from the repository's root, as the rules' header says.
            assertThat(runbook).as("%s runbook", alert).startsWith(RUNBOOK + "#");
            assertThat(anchors).as("%s runbook %s is a heading of %s", alert, runbook, RUNBOOK)
                    .contains(runbook.substring(runbook.indexOf('#') + 1));
        }
        assertThat(new TreeSet<>(runbooks.headings(2))).as("the sections of %s: one per alert", RUNBOOK)
                .isEqualTo(new TreeSet<>(names));
    }

    @Test
    void everyPanelHasAUniqueIdAndAQuery() {
        JsonNode dashboard = DeployedMetricNames.dashboard();
        assertThat(dashboard.path("schemaVersion").asInt()).as("schemaVersion").isGreaterThanOrEqualTo(36);
        List<String> variables = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(variable -> variables.add(variable.path("name").asText()));
        assertThat(variables).as("template variables").contains("DS_PROMETHEUS", "instance");

        List<JsonNode> panels = DeployedMetricNames.dashboardPanels();
        assertThat(panels).as("panels").isNotEmpty();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            assertThat(panel.path("id").isInt()).as("panel %s id", title).isTrue();
            assertThat(ids.add(panel.path("id").asInt())).as("panel id %s (%s) is unique", panel.path("id"), title).isTrue();
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("targets").size()).as("targets of panel %s", title).isPositive();
            panel.path("targets")
                    .forEach(target -> assertThat(target.path("expr").asText()).as("a target's expr in panel %s", title).isNotBlank());
        }
    }

    @Test
    void theQueriedNamesAreAigovsGrpcsThePoolsOrTheJvms() {
        for (Map.Entry<String, Set<String>> names : Map.of(
                "alert rules", DeployedMetricNames.inAlertRules(),
                "dashboard", DeployedMetricNames.inDashboard()).entrySet()) {
            assertThat(names.getValue()).as("metric names in the %s", names.getKey()).isNotEmpty()
                    .allMatch(name -> name.matches("(aigov|grpc|db_client|jvm)_[a-z0-9_]+"));
        }
        assertThat(DeployedMetricNames.inAlertRules()).as("alert rules")
                .contains("aigov_execution_global_pause_age_seconds", "aigov_audit_commit_duration_seconds_bucket");
        assertThat(DeployedMetricNames.inDashboard()).as("dashboard: only names every scrape has")
                .doesNotContain("aigov_execution_global_pause_age_seconds", "db_client_connections_timeouts_total",
                        "aigov_decision_failures_total");
    }

    @Test
    void anExpressionYieldsItsMetricsButNoFunctionKeywordLabelOrVariable() {
        assertThat(DeployedMetricNames.inExpression(
                "histogram_quantile(0.99, sum by (le, instance) (rate(aigov_audit_commit_duration_seconds_bucket"
                        + "{instance=~\"$instance\", result!=\"failed\"}[$__rate_interval]))) > 0.25"
                        + " and on (job) max without (pod) (aigov_serving offset 5m) == 1 or up{job=\"aigov\"} == 0"
                        + " unless sum(rate(grpc_server_call_duration_seconds_count[5m])) / 1e3 > bool 2"))
                .containsExactlyInAnyOrder("aigov_audit_commit_duration_seconds_bucket", "aigov_serving",
                        "grpc_server_call_duration_seconds_count");
    }

    private static String nested(Map<String, Object> rule, String map, String key) {
        Object inner = rule.get(map);
        return inner instanceof Map<?, ?> values && values.get(key) != null ? String.valueOf(values.get(key)) : null;
    }
}
