package dev.aigov.server.telemetry;

import dev.aigov.server.config.TelemetryConfig;
import io.grpc.ServerBuilder;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.instrumentation.hikaricp.v3_0.HikariTelemetry;
import io.opentelemetry.instrumentation.runtimetelemetry.RuntimeTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The server's OpenTelemetry: the SDK as OpenTelemetry's autoconfiguration builds it (so every
 * standard {@code OTEL_*} variable works), a Prometheus reader served on the metrics port, OTLP
 * export of metrics and traces when an endpoint is set, grpc-java's own per-method metrics and
 * spans, and the JVM's and the connection pool's metrics. Nothing here is hand-written: exporters,
 * registry and histograms are the libraries'.
 */
public final class Telemetry implements AutoCloseable {
    /** grpc-java's switch for its OpenTelemetry spans (read once, when grpc-opentelemetry loads). */
    static final String GRPC_TRACING_FLAG = "GRPC_EXPERIMENTAL_ENABLE_OTEL_TRACING";
    static final String INSTRUMENTATION_SCOPE = "dev.aigov.server";
    /** The share of traces sampled where the caller sent none (OTEL_TRACES_SAMPLER_ARG overrides it). */
    static final double ROOT_SAMPLE_RATIO = 0.05;

    private final OpenTelemetrySdk sdk;
    private final Optional<HTTPServer> metricsServer;
    private final Optional<GrpcOpenTelemetry> grpc;
    private final RuntimeTelemetry runtime;
    private final boolean traced;

    private Telemetry(OpenTelemetrySdk sdk, Optional<HTTPServer> metricsServer, Optional<GrpcOpenTelemetry> grpc, RuntimeTelemetry runtime,
            boolean traced) {
        this.sdk = sdk;
        this.metricsServer = metricsServer;
        this.grpc = grpc;
        this.runtime = runtime;
        this.traced = traced;
    }

    /** Starts what {@code config} and the {@code OTEL_*} variables ask for. */
    public static Telemetry start(TelemetryConfig config) {
        return start(config, Optional.empty());
    }

    /**
     * Like {@link #start(TelemetryConfig)}, with spans also sent where {@code tracing} says (tests
     * add an in-memory exporter); spans are then always sampled.
     */
    public static Telemetry start(TelemetryConfig config, Optional<UnaryOperator<SdkTracerProviderBuilder>> tracing) {
        boolean traced = config.otlpEndpoint().isPresent() || tracesExportedByOtelVariables() || tracing.isPresent();
        if (traced && System.getenv(GRPC_TRACING_FLAG) == null && System.getProperty(GRPC_TRACING_FLAG) == null) {
            // grpc-java's spans are still experimental and off unless asked for: aigov asks when spans are
            // exported (the flag is read once per JVM, when grpc-opentelemetry loads).
            System.setProperty(GRPC_TRACING_FLAG, "true");
        }
        boolean measured = config.metricsServed() || config.otlpEndpoint().isPresent() || metricsExportedByOtelVariables();
        PrometheusMetricReader prometheus = PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults(config, traced))
                .addMeterProviderCustomizer(
                        (meters, properties) -> config.metricsServed() ? meters.registerMetricReader(prometheus) : meters)
                .addTracerProviderCustomizer((tracers, properties) -> tracing.map(add -> add.apply(tracers)).orElse(tracers))
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
        Optional<HTTPServer> server = Optional.empty();
        if (config.metricsServed()) {
            PrometheusRegistry registry = new PrometheusRegistry();
            registry.register(prometheus);
            try {
                server = Optional.of(HTTPServer.builder()
                        .hostname(config.metricsBind())
                        .port(config.metricsPort() == TelemetryConfig.ANY_FREE_PORT ? 0 : config.metricsPort())
                        .registry(registry)
                        .buildAndStart());
            } catch (IOException e) {
                sdk.close();
                throw new UncheckedIOException("could not serve metrics on " + config.metricsBind() + ":" + config.metricsPort()
                        + " (AIGOV_METRICS_PORT; 0 turns it off)", e);
            }
        }
        // Nothing reads or exports metrics and no span is kept: grpc-java's instrumentation would only cost.
        Optional<GrpcOpenTelemetry> grpc = measured || traced
                ? Optional.of(GrpcOpenTelemetry.newBuilder().sdk(sdk).build()) : Optional.empty();
        RuntimeTelemetry runtime = RuntimeTelemetry.create(sdk);
        return new Telemetry(sdk, server, grpc, runtime, traced);
    }

    private static boolean tracesExportedByOtelVariables() {
        return exportedByOtelVariables("otel.traces.exporter", "OTEL_TRACES_EXPORTER");
    }

    private static boolean metricsExportedByOtelVariables() {
        return exportedByOtelVariables("otel.metrics.exporter", "OTEL_METRICS_EXPORTER");
    }

    private static boolean exportedByOtelVariables(String property, String variable) {
        String exporter = Optional.ofNullable(System.getProperty(property)).orElse(System.getenv(variable));
        return exporter != null && !exporter.isBlank() && !exporter.strip().toLowerCase(Locale.ROOT).equals("none");
    }

    /** aigov's defaults; the standard OTEL_* variables and otel.* properties win over them. */
    private static Map<String, String> defaults(TelemetryConfig config, boolean traced) {
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", "aigov");
        defaults.put("otel.logs.exporter", "none");
        // OTLP over HTTP: the JDK's own client sends it, no gRPC channel of the exporter's own.
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        defaults.put("otel.metrics.exporter", config.otlpEndpoint().isPresent() ? "otlp" : "none");
        defaults.put("otel.traces.exporter", config.otlpEndpoint().isPresent() ? "otlp" : "none");
        config.otlpEndpoint().ifPresent(endpoint -> defaults.put("otel.exporter.otlp.endpoint", endpoint.toString()));
        // Spans nobody receives are not made at all. Exported, a trace is kept whenever its caller keeps
        // it (parent-based) and one in twenty of the rest: three spans recorded and exported for every
        // decision would cost the hot path more than its own work does (docs/performance.md).
        defaults.put("otel.traces.sampler", traced ? "parentbased_traceidratio" : "always_off");
        defaults.put("otel.traces.sampler.arg", Double.toString(ROOT_SAMPLE_RATIO));
        return defaults;
    }

    public OpenTelemetry openTelemetry() {
        return sdk;
    }

    public Meter meter() {
        return sdk.getMeter(INSTRUMENTATION_SCOPE);
    }

    public Tracer tracer() {
        return sdk.getTracer(INSTRUMENTATION_SCOPE);
    }

    /** Whether spans are exported (and so made): an OTLP endpoint, OTEL_TRACES_EXPORTER, or a test's exporter. */
    public boolean traced() {
        return traced;
    }

    /** The metrics port, when metrics are served. */
    public Optional<Integer> metricsPort() {
        return metricsServer.map(HTTPServer::getPort);
    }

    /** grpc-java's standard per-method metrics (and spans) on every call the server takes, when anything reads them. */
    public void instrument(ServerBuilder<?> server) {
        grpc.ifPresent(instrumentation -> instrumentation.configureServerBuilder(server));
    }

    /** HikariCP's metrics tracker, reporting the pool through this SDK. */
    public com.zaxxer.hikari.metrics.MetricsTrackerFactory poolMetrics() {
        return HikariTelemetry.create(sdk).createMetricsTrackerFactory();
    }

    /** Exports what is left (spans, a last metrics push), then stops serving metrics. */
    @Override
    public void close() {
        runtime.close();
        sdk.shutdown().join(5, TimeUnit.SECONDS);
        metricsServer.ifPresent(HTTPServer::close);
    }

    /** The histogram buckets of aigov's latencies, in seconds: 0.25 ms to 5 s. */
    static final java.util.List<Double> LATENCY_BUCKETS = java.util.List.of(
            0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0);

    static double seconds(long nanos) {
        return nanos / (double) Duration.ofSeconds(1).toNanos();
    }
}
