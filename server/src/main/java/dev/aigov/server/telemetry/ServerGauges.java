package dev.aigov.server.telemetry;

import dev.aigov.server.control.ExecutionControl;
import dev.aigov.server.control.ExecutionControlRepository;
import dev.aigov.server.evaluation.commit.GroupCommitRecorder;
import dev.aigov.server.evaluation.state.DecisionState;
import dev.aigov.server.grpc.DatabaseHealth;
import dev.aigov.server.grpc.OverloadLimiter;
import dev.aigov.server.storage.Housekeeping;
import io.opentelemetry.api.metrics.ObservableDoubleMeasurement;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gauges read when scraped: the writer's queue, the limit, the state, what is paused, health, housekeeping. */
public final class ServerGauges {
    private static final Logger LOG = LoggerFactory.getLogger(ServerGauges.class);

    private ServerGauges() {
    }

    /** What the gauges read; each optional part is empty where this server has none (no limiter: AIGOV_CONCURRENCY_LIMIT=off). */
    public record Sources(Optional<DecisionState> state, Optional<GroupCommitRecorder> writer, Optional<OverloadLimiter> limiter,
            Housekeeping housekeeping, DatabaseHealth health, DSLContext dsl, Clock clock) {
    }

    public static void register(AigovMetrics metrics, Sources sources) {
        sources.writer().ifPresent(writer -> {
            metrics.gauge("aigov.audit.queue.depth", "{decision}", "Decisions waiting for the audit writer",
                    AigovMetrics.ofInt(writer::queued));
            metrics.gauge("aigov.audit.queue.capacity", "{decision}",
                    "Decisions that may wait for the audit writer before calls are refused",
                    AigovMetrics.ofInt(writer::capacity));
        });
        sources.limiter().ifPresent(limiter -> {
            metrics.gauge("aigov.concurrency.limit", "{call}", "Calls served at once before new ones are refused (OVERLOADED)",
                    AigovMetrics.ofInt(limiter::limit));
            metrics.gauge("aigov.concurrency.in_flight", "{call}", "Calls being served now", AigovMetrics.ofInt(limiter::inFlight));
        });
        sources.state().ifPresent(state -> {
            metrics.secondsGauge("aigov.state.age", "Time since the in-memory decision state was last confirmed current "
                    + "(evaluations fail closed past aigov_state_max_staleness_seconds)",
                    () -> Telemetry.seconds(state.age().toNanos()));
            metrics.secondsGauge("aigov.state.max_staleness", "The bound on the state's age (AIGOV_MAX_STALENESS)",
                    () -> Telemetry.seconds(state.maxStaleness().toNanos()));
            metrics.gauge("aigov.state.version", "{version}", "The state version this replica decides on", state::version);
            metrics.gauge("aigov.state.workspaces", "{workspace}", "Workspaces with a policy or control of their own in memory",
                    AigovMetrics.ofInt(state::workspacesHeld));
        });
        registerPaused(metrics, sources);
        metrics.gauge("aigov.serving", "", "1 while aigov's services report SERVING (the database answers), else 0",
                () -> AigovMetrics.flag(sources.health().serving()));
        metrics.gauge("aigov.audit.partitions.ahead", "{partition}", "Monthly audit partitions ready after the current month "
                + "(housekeeping keeps 2; at 0 the next month has nowhere to write)", () -> sources.housekeeping().partitionsAhead());
        registerRetention(metrics, sources);
        metrics.counter("aigov.housekeeping.failures", "{round}", "Housekeeping rounds that failed (logged; retried within the hour)",
                sources.housekeeping()::failures);
    }

    private static void registerRetention(AigovMetrics metrics, Sources sources) {
        dev.aigov.server.evidence.AuditRetention retention = sources.housekeeping().retention();
        metrics.secondsGauge("aigov.audit.retention", "How long audit events are kept (AIGOV_AUDIT_RETENTION); 0 when off (kept forever)",
                () -> retention.config().retention().map(r -> (double) r.toSeconds()).orElse(0.0));
        metrics.counter("aigov.audit.retention.failures", "{round}",
                "Retention rounds whose archive, its verification or the drop failed (nothing dropped; logged as ERROR)",
                retention::failures);
        metrics.secondsGauge("aigov.audit.oldest_event.age", "Age of the oldest retained audit event",
                () -> age(sources, retention::oldestRetainedEvent));
        metrics.secondsGauge("aigov.audit.checkpoint.age", "Age of the newest signed audit checkpoint (any replica)",
                () -> age(sources, retention::newestCheckpoint));
        metrics.gauge("aigov.audit.archive.last_month", "{month}",
                "The last audit month archived then dropped, as YYYYMM (0: none yet)", () -> {
                    try {
                        return retention.lastArchivedMonth().map(m -> (long) m.getYear() * 100 + m.getMonthValue()).orElse(0L);
                    } catch (RuntimeException unreadable) {
                        return 0L;
                    }
                });
    }

    /** Seconds since {@code when}; negative (no reading) when there is none or the database does not answer. */
    private static double age(Sources sources, java.util.function.Supplier<Optional<Instant>> when) {
        try {
            return when.get().map(at -> Telemetry.seconds(Duration.between(at, sources.clock().instant()).toNanos())).orElse(-1.0);
        } catch (RuntimeException unreadable) {
            LOG.debug("audit age not readable for this scrape: {}", unreadable.getMessage());
            return -1.0;
        }
    }

    private static void registerPaused(AigovMetrics metrics, Sources sources) {
        ObservableLongMeasurement global = metrics.longObserver("aigov.execution.paused.global", "",
                "1 while AI execution is paused globally, else 0");
        ObservableLongMeasurement workspaces = metrics.longObserver("aigov.execution.paused.workspaces", "{workspace}",
                "Workspaces with AI execution paused at their own scope");
        ObservableDoubleMeasurement since = metrics.secondsObserver("aigov.execution.global_pause.age",
                "Time since the global pause began; reported only while AI is paused globally");
        PauseStart start = new PauseStart(sources.dsl());
        metrics.together(() -> {
            try {
                boolean pausedGlobally;
                int pausedWorkspaces;
                if (sources.state().isPresent() && sources.state().get().current()) {
                    DecisionState.PausedScopes paused = sources.state().get().pausedScopes();
                    pausedGlobally = paused.global();
                    pausedWorkspaces = paused.workspaces();
                } else {
                    pausedGlobally = ExecutionControlRepository.current(sources.dsl(), ExecutionControl.AI_EXECUTION, "")
                            .state() == dev.aigov.core.ControlState.PAUSED;
                    pausedWorkspaces = ExecutionControlRepository.countPausedWorkspaces(sources.dsl(), ExecutionControl.AI_EXECUTION);
                }
                global.record(AigovMetrics.flag(pausedGlobally));
                workspaces.record(pausedWorkspaces);
                if (pausedGlobally) {
                    start.since().ifPresent(began -> since.record(Telemetry.seconds(
                            Duration.between(began, sources.clock().instant()).toNanos())));
                }
            } catch (RuntimeException unreadable) {
                // No reading is better than a wrong one; the serving gauge says the database is gone.
                LOG.debug("paused scopes not readable for this scrape: {}", unreadable.getMessage());
            }
        }, global, workspaces, since);
    }

    /** When the global pause in force began: one primary-key read per scrape, and only while paused globally. */
    private record PauseStart(DSLContext dsl) {
        Optional<Instant> since() {
            ExecutionControl control = ExecutionControlRepository.current(dsl, ExecutionControl.AI_EXECUTION, "");
            return control.state() == dev.aigov.core.ControlState.PAUSED ? control.changedAt() : Optional.empty();
        }
    }
}
