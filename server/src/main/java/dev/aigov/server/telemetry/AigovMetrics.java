package dev.aigov.server.telemetry;

import dev.aigov.api.v1.ErrorReason;
import dev.aigov.core.Catalog;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.Vocabulary;
import dev.aigov.server.error.CallerGone;
import dev.aigov.server.evaluation.RecordedDecision;
import dev.aigov.server.evaluation.commit.GroupCommitRecorder;
import dev.aigov.server.grpc.CallOutcomes;
import dev.aigov.server.grpc.DecisionObserver;
import dev.aigov.server.grpc.OverloadLimiter;
import dev.aigov.server.grpc.StatusMapping;
import io.grpc.Status;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.trace.Span;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * aigov's own metrics, named and labelled as the README's table says. Label values are bounded:
 * use cases only from the catalog ("other" for any other key), reasons and classes from the
 * vocabulary; never a workspace, a principal or an id.
 */
public final class AigovMetrics implements DecisionObserver, CallOutcomes.Listener, GroupCommitRecorder.WriterMetrics,
        OverloadLimiter.Refusals {
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
    static final AttributeKey<String> USE_CASE = AttributeKey.stringKey("use_case");
    static final AttributeKey<String> PROVIDER_CLASS = AttributeKey.stringKey("provider_class");
    static final AttributeKey<String> CAUSE = AttributeKey.stringKey("cause");
    static final AttributeKey<String> RESULT = AttributeKey.stringKey("result");
    static final AttributeKey<String> CLIENT_VERSION = AttributeKey.stringKey("client_version");
    static final AttributeKey<String> CATALOG_DIGEST = AttributeKey.stringKey("digest");
    static final AttributeKey<String> CATALOG_LABEL = AttributeKey.stringKey("label");
    static final AttributeKey<String> STAGE = AttributeKey.stringKey("stage");
    /** Distinct client versions counted by name; any further one counts as "other" (labels stay bounded). */
    static final int CLIENT_VERSIONS_NAMED = 32;
    /** A release version: major.minor.patch, optionally a pre-release or build suffix. */
    private static final java.util.regex.Pattern RELEASE = java.util.regex.Pattern
            .compile("[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,6}(-[0-9A-Za-z.]{1,20})?(\\+[0-9A-Za-z.]{1,20})?");
    private static final Attributes COMMITTED = Attributes.of(RESULT, "committed");
    private static final Attributes FAILED = Attributes.of(RESULT, "failed");
    /** A catalog reload's results: served, refused (an invalid file), nothing to read again. */
    private static final Attributes RELOAD_LOADED = Attributes.of(RESULT, "loaded");
    private static final Attributes RELOAD_REFUSED = Attributes.of(RESULT, "refused");
    private static final Attributes RELOAD_BUILT_IN = Attributes.of(RESULT, "built_in");
    private static final Attributes AUDIT_QUEUE = Attributes.of(CAUSE, "audit_queue");
    private static final Attributes CONCURRENCY_LIMIT = Attributes.of(CAUSE, "concurrency_limit");
    private static final Map<CallerGone.Stage, Attributes> STAGES = Arrays.stream(CallerGone.Stage.values())
            .collect(Collectors.toUnmodifiableMap(stage -> stage, stage -> Attributes.of(STAGE, stage.label())));
    /** The refusals of a caller, each counted from zero so that rates and alerts see them before the first. */
    private static final List<ErrorReason> CALLER_REFUSALS = List.of(ErrorReason.ERROR_REASON_MISSING_CREDENTIAL,
            ErrorReason.ERROR_REASON_INVALID_CREDENTIAL, ErrorReason.ERROR_REASON_MISSING_CAPABILITY,
            ErrorReason.ERROR_REASON_WORKSPACE_NOT_PERMITTED, ErrorReason.ERROR_REASON_TOO_MANY_FAILED_AUTHENTICATIONS);

    private final Meter meter;
    private final Supplier<Catalog> catalog;
    private final LongCounter decisions;
    private final DoubleHistogram decisionDuration;
    private final LongCounter decisionFailures;
    private final DoubleHistogram commitDuration;
    private final LongHistogram batchSize;
    private final LongCounter overloadRefusals;
    private final LongCounter callersGone;
    private final LongCounter authFailures;
    private final LongCounter evaluationsByClient;
    private final LongCounter catalogReloads;
    private final ConcurrentMap<String, Attributes> clientVersions = new ConcurrentHashMap<>();
    private final ConcurrentMap<Labels, Attributes> decisionLabels = new ConcurrentHashMap<>();
    private final List<AutoCloseable> observers = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Labels(String outcome, String reason, String useCase, String providerClass) {
    }

    public AigovMetrics(Meter meter, Supplier<Catalog> catalog) {
        this.meter = meter;
        this.catalog = catalog;
        this.decisions = meter.counterBuilder("aigov.decisions").setUnit("{decision}")
                .setDescription("Decisions answered, by outcome, primary reason (none for an allow), use case and provider class").build();
        this.decisionDuration = meter.histogramBuilder("aigov.decision.duration").setUnit("s")
                .setDescription("EvaluateAiRequest in the server, from the call's start to its recorded answer")
                .setExplicitBucketBoundariesAdvice(Telemetry.LATENCY_BUCKETS).build();
        this.decisionFailures = meter.counterBuilder("aigov.decision.failures").setUnit("{call}")
                .setDescription("EvaluateAiRequest calls answered with an error instead of a decision, by ErrorInfo reason").build();
        this.commitDuration = meter.histogramBuilder("aigov.audit.commit.duration").setUnit("s")
                .setDescription("One group-commit transaction of the audit writer, by result")
                .setExplicitBucketBoundariesAdvice(Telemetry.LATENCY_BUCKETS).build();
        this.batchSize = meter.histogramBuilder("aigov.audit.batch.size").ofLongs().setUnit("{decision}")
                .setDescription("Decisions per audit transaction")
                .setExplicitBucketBoundariesAdvice(List.of(1L, 2L, 5L, 10L, 20L, 50L, 100L, 200L, 500L)).build();
        this.overloadRefusals = meter.counterBuilder("aigov.overload.refusals").setUnit("{call}")
                .setDescription(
                        "Calls refused at once with UNAVAILABLE (OVERLOADED), by cause: the concurrency limit or a full audit queue")
                .build();
        this.callersGone = meter.counterBuilder("aigov.callers.gone").setUnit("{call}")
                .setDescription("Calls that had ended on the caller's side (cancelled, or past their deadline) before they were "
                        + "answered, by the stage aigov saw it at: arrival, serving, or recording (decided, not recorded)")
                .build();
        this.authFailures = meter.counterBuilder("aigov.auth.failures").setUnit("{call}")
                .setDescription("Calls refused for their caller (credential, capability, failed-authentication budget), by reason")
                .build();
        this.evaluationsByClient = meter.counterBuilder("aigov.client.evaluations").setUnit("{call}")
                .setDescription("EvaluateAiRequest calls by the aigov-client version the caller announced (none: no header; "
                        + "invalid: not a version; other: not shaped like a release, or beyond the first " + CLIENT_VERSIONS_NAMED
                        + " seen)")
                .build();
        this.catalogReloads = meter.counterBuilder("aigov.catalog.reloads").setUnit("{reload}")
                .setDescription("Catalog reloads (SIGHUP), by result: loaded, refused (an invalid file: the last good catalog "
                        + "serves), built_in (no file to read again)")
                .build();
        overloadRefusals.add(0, AUDIT_QUEUE);
        overloadRefusals.add(0, CONCURRENCY_LIMIT);
        STAGES.values().forEach(stage -> callersGone.add(0, stage));
        CALLER_REFUSALS.forEach(reason -> authFailures.add(0, Attributes.of(REASON, label(reason))));
    }

    // Decisions

    @Override
    public Observation started() {
        long start = System.nanoTime();
        Span span = Span.current();
        evaluationsByClient.add(1, clientVersionLabel(dev.aigov.server.grpc.ClientVersions.current()));
        return new Observation() {
            @Override
            public void decided(DecisionRequest request, RecordedDecision recorded) {
                Decision decision = recorded.decision();
                String outcome = Vocabulary.word(decision.outcome());
                String reason = decision.reason().map(Vocabulary::word).orElse("none");
                decisions.add(1, labels(outcome, reason, request));
                decisionDuration.record(Telemetry.seconds(System.nanoTime() - start), Attributes.of(OUTCOME, outcome));
                if (span.isRecording()) {
                    span.setAttribute("aigov.decision.outcome", outcome);
                    span.setAttribute("aigov.decision.reason", reason);
                    span.setAttribute("aigov.decision.id", recorded.decisionId().toString());
                    span.setAttribute("aigov.use_case", useCaseLabel(request.useCase()));
                }
            }

            @Override
            public void failed(Throwable failure) {
                String reason = errorReason(failure);
                decisionFailures.add(1, Attributes.of(REASON, reason));
                if (span.isRecording()) {
                    span.setAttribute("aigov.error.reason", reason);
                }
            }
        };
    }

    private Attributes labels(String outcome, String reason, DecisionRequest request) {
        Labels labels = new Labels(outcome, reason, useCaseLabel(request.useCase()), Vocabulary.word(request.providerClass()));
        return decisionLabels.computeIfAbsent(labels, l -> Attributes.of(OUTCOME, l.outcome(), REASON, l.reason(),
                USE_CASE, l.useCase(), PROVIDER_CLASS, l.providerClass()));
    }

    private Attributes clientVersionLabel(String version) {
        Attributes known = clientVersions.get(version);
        if (known != null) {
            return known;
        }
        // Named only for versions shaped like a release (1.4.0, 2.0.0-rc.1), and only the first few seen: an
        // authenticated caller still chooses the header, and must not choose the metric's labels.
        String label = version.isEmpty() ? "none"
                : version.equals(Vocabulary.INVALID_CLIENT_VERSION) ? version
                : RELEASE.matcher(version).matches() && clientVersions.size() < CLIENT_VERSIONS_NAMED ? version : "other";
        Attributes attributes = Attributes.of(CLIENT_VERSION, label);
        return label.equals("other") ? attributes : clientVersions.computeIfAbsent(version, v -> attributes);
    }

    private String useCaseLabel(String useCase) {
        return catalog.get().find(useCase).isPresent() ? useCase : "other";
    }

    static String errorReason(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return StatusMapping.reasonFor(cause).map(AigovMetrics::label).orElse("unexpected");
    }

    static String label(ErrorReason reason) {
        return reason.name().replaceFirst("^ERROR_REASON_", "").toLowerCase(Locale.ROOT);
    }

    // Refusals

    @Override
    public void callerRefused(String method, Status.Code code, ErrorReason reason) {
        // Only a caller's refusals: a RESOURCE_EXHAUSTED of the transport (an oversized message) is none.
        if (CALLER_REFUSALS.contains(reason)) {
            authFailures.add(1, Attributes.of(REASON, label(reason)));
        }
    }

    @Override
    public void callerGone(String method, CallerGone.Stage stage) {
        callersGone.add(1, STAGES.get(stage));
    }

    @Override
    public void refusedAtLimit() {
        overloadRefusals.add(1, CONCURRENCY_LIMIT);
    }

    // The audit writer

    @Override
    public void batchCommitted(int size, long nanos) {
        commitDuration.record(Telemetry.seconds(nanos), COMMITTED);
        batchSize.record(size);
    }

    @Override
    public void batchFailed(int size, long nanos) {
        commitDuration.record(Telemetry.seconds(nanos), FAILED);
    }

    @Override
    public void refused() {
        overloadRefusals.add(1, AUDIT_QUEUE);
    }

    // The catalog

    /**
     * The catalog served, as {@code aigov_catalog_version{digest, label} 1} (two replicas that disagree
     * show as two series), and whether the last reload was refused ({@code aigov_catalog_reload_failed}).
     */
    public void observe(dev.aigov.server.evaluation.CurrentCatalog catalog) {
        observers.add(meter.gaugeBuilder("aigov.catalog.version").ofLongs().setUnit("{catalog}")
                .setDescription("The catalog of use cases this replica decides with now: 1, labelled with its digest and label")
                .buildWithCallback(measurement -> {
                    dev.aigov.core.CatalogVersion version = catalog.get().version();
                    measurement.record(1, Attributes.of(CATALOG_DIGEST, version.digest(), CATALOG_LABEL, version.label().orElse("")));
                }));
        gauge("aigov.catalog.reload.failed", "1",
                "1 when the last catalog reload found an invalid file (the last good catalog still serves); 0 otherwise",
                () -> flag(catalog.lastReloadFailed()));
        List.of(RELOAD_LOADED, RELOAD_REFUSED, RELOAD_BUILT_IN).forEach(result -> catalogReloads.add(0, result));
    }

    /** Counts one catalog reload by its result. */
    public void catalogReloaded(dev.aigov.server.evaluation.CurrentCatalog.Reload reload) {
        catalogReloads.add(1, switch (reload) {
            case dev.aigov.server.evaluation.CurrentCatalog.Reload.Loaded ignored -> RELOAD_LOADED;
            case dev.aigov.server.evaluation.CurrentCatalog.Reload.Refused ignored -> RELOAD_REFUSED;
            case dev.aigov.server.evaluation.CurrentCatalog.Reload.BuiltIn ignored -> RELOAD_BUILT_IN;
        });
    }

    // What is read when scraped

    /** A gauge of whole numbers, read when scraped. */
    void gauge(String name, String unit, String description, LongSupplier value) {
        observers.add(meter.gaugeBuilder(name).ofLongs().setUnit(unit).setDescription(description)
                .buildWithCallback(measurement -> measurement.record(value.getAsLong())));
    }

    /** A gauge in seconds, read when scraped; a negative reading means no value now. */
    void secondsGauge(String name, String description, java.util.function.DoubleSupplier value) {
        observers.add(meter.gaugeBuilder(name).setUnit("s").setDescription(description)
                .buildWithCallback(measurement -> {
                    double seconds = value.getAsDouble();
                    if (seconds >= 0) {
                        measurement.record(seconds);
                    }
                }));
    }

    /** A counter kept elsewhere, read when scraped. */
    void counter(String name, String unit, String description, LongSupplier value) {
        observers.add(meter.counterBuilder(name).setUnit(unit).setDescription(description)
                .buildWithCallback(measurement -> measurement.record(value.getAsLong())));
    }

    /** Several gauges computed together, once per scrape. */
    void together(Runnable compute, io.opentelemetry.api.metrics.ObservableMeasurement first,
            io.opentelemetry.api.metrics.ObservableMeasurement... rest) {
        observers.add(meter.batchCallback(compute, first, rest));
    }

    ObservableLongMeasurement longObserver(String name, String unit, String description) {
        return meter.gaugeBuilder(name).ofLongs().setUnit(unit).setDescription(description).buildObserver();
    }

    ObservableDoubleMeasurement secondsObserver(String name, String description) {
        return meter.gaugeBuilder(name).setUnit("s").setDescription(description).buildObserver();
    }

    static long flag(boolean value) {
        return value ? 1 : 0;
    }

    static LongSupplier ofInt(IntSupplier value) {
        return value::getAsInt;
    }
}
