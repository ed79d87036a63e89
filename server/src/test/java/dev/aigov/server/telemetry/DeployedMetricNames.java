package dev.aigov.server.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The metric names that deploy/'s alert rules and Grafana dashboard query, exactly as written in
 * their PromQL ({@code aigov_audit_commit_duration_seconds_bucket}, not the histogram's base name),
 * so that a test can hold them against a real scrape. Functions, keywords, label names and
 * Prometheus' own {@code up} are not metric names of aigov and are left out.
 */
public final class DeployedMetricNames {
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{?[A-Za-z_][A-Za-z0-9_]*}?");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** A number or duration (skipped), else an identifier, and whether a '(' follows it (a function). */
    private static final Pattern TOKEN =
            Pattern.compile("[0-9.][A-Za-z0-9_.+]*|([A-Za-z_:][A-Za-z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset", "inf", "nan", "up");

    private DeployedMetricNames() {
    }

    /** Every metric name in the {@code expr} of deploy/prometheus/alerts.yml's rules. */
    public static Set<String> inAlertRules() {
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> rule : alertRules()) {
            names.addAll(inExpression(String.valueOf(rule.get("expr"))));
        }
        return names;
    }

    /** Every metric name in the {@code targets[].expr} of deploy/grafana/aigov-dashboard.json's panels. */
    public static Set<String> inDashboard() {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : dashboardPanels()) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    names.addAll(inExpression(target.get("expr").asText()));
                }
            }
        }
        return names;
    }

    /** The metric names of one PromQL expression. */
    static Set<String> inExpression(String promql) {
        String text = STRING.matcher(promql).replaceAll(" ");
        text = GRAFANA_VARIABLE.matcher(text).replaceAll(" ");
        text = LABEL_MATCHERS.matcher(text).replaceAll(" ");
        text = RANGE.matcher(text).replaceAll(" ");
        text = LABEL_LIST.matcher(text).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher token = TOKEN.matcher(text);
        while (token.find()) {
            String identifier = token.group(1);
            boolean function = token.group(2) != null;
            if (identifier != null && !function && !KEYWORDS.contains(identifier.toLowerCase(java.util.Locale.ROOT))) {
                names.add(identifier);
            }
        }
        return names;
    }

    /** The rules of every group in alerts.yml, as parsed. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alertRules() {
        Map<String, Object> file = new Yaml(new SafeConstructor(new LoaderOptions())).load(read(alertsFile()));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : (List<Object>) file.get("groups")) {
            rules.addAll((List<Map<String, Object>>) ((Map<String, Object>) group).get("rules"));
        }
        return rules;
    }

    /** The dashboard's panels, those nested in rows included. */
    static List<JsonNode> dashboardPanels() {
        JsonNode dashboard = dashboard();
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    static JsonNode dashboard() {
        try {
            return new ObjectMapper().readTree(read(dashboardFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path alertsFile() {
        return deployDir().resolve("prometheus/alerts.yml");
    }

    static Path dashboardFile() {
        return deployDir().resolve("grafana/aigov-dashboard.json");
    }

    static Path deployDir() {
        return dev.aigov.server.testing.RepositoryFiles.deployDir();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
