package dev.aigov.server.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * What the server exposes about itself: Prometheus metrics on their own port, and OTLP export of
 * metrics and traces when an endpoint is set. The standard {@code OTEL_*} variables are honoured on
 * top (OpenTelemetry's autoconfiguration reads them; they win over what is derived here).
 *
 * @param metricsPort  the Prometheus port, {@code /metrics} (AIGOV_METRICS_PORT, default 9464); 0 turns it
 *                     off; {@link #ANY_FREE_PORT} (tests only) picks a free one
 * @param metricsBind  the address the metrics port listens on (AIGOV_METRICS_BIND)
 * @param otlpEndpoint where OTLP over HTTP goes, e.g. {@code http://collector:4318} (AIGOV_OTLP_ENDPOINT)
 */
public record TelemetryConfig(int metricsPort, String metricsBind, Optional<URI> otlpEndpoint) {
    public static final int DEFAULT_METRICS_PORT = 9464;
    /** Not reachable from the environment: a test's server picks a free port and reports it. */
    public static final int ANY_FREE_PORT = -1;
    /** No metrics port, no export: what most tests run with. */
    public static final TelemetryConfig OFF = new TelemetryConfig(0, "127.0.0.1", Optional.empty());

    public TelemetryConfig {
        Objects.requireNonNull(metricsBind, "metricsBind");
        Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
        if (metricsPort < ANY_FREE_PORT || metricsPort > 65535) {
            throw new IllegalArgumentException("AIGOV_METRICS_PORT must be 0 (off) to 65535 (got " + metricsPort + ")");
        }
        otlpEndpoint.ifPresent(endpoint -> {
            if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("AIGOV_OTLP_ENDPOINT must be an http(s) URL such as http://collector:4318 (got '"
                        + endpoint + "')");
            }
        });
    }

    /** Parses AIGOV_OTLP_ENDPOINT; blank means no export. */
    public static Optional<URI> parseEndpoint(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(URI.create(text.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("AIGOV_OTLP_ENDPOINT must be an http(s) URL such as http://collector:4318 (got '"
                    + text + "')", e);
        }
    }

    public boolean metricsServed() {
        return metricsPort != 0;
    }

    /** What the start-up line says about it. */
    public String describe() {
        String metrics = metricsServed() ? "metrics on " + metricsBind + ":" + metricsPort + "/metrics" : "metrics port off";
        return metrics + otlpEndpoint.map(endpoint -> ", OTLP to " + endpoint).orElse("");
    }
}
