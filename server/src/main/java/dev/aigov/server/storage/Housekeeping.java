package dev.aigov.server.storage;

import dev.aigov.server.evaluation.commit.DecisionClaims;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a long-running server must keep doing: create next months' audit partitions before they
 * are needed; forget the mutations' idempotency records past their week, and the state change log
 * past its hour (hourly); forget decisions' request_ids past their replay window (every minute, at
 * the decision rate). Every delete is bounded: chunks of {@link #PURGE_CHUNK} rows, each its own
 * statement, for at most {@link #PURGE_BUDGET} per round, so no round meets the statement timeout
 * however far behind it is. One daemon thread; safe with several replicas (partition creation takes
 * an advisory lock; deletes are idempotent).
 */
public final class Housekeeping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
    /** How long a request_id is remembered: a retry within a week returns the first result. */
    public static final Duration IDEMPOTENCY_RETENTION = Duration.ofDays(7);
    /** How long the state change log is kept: a listener further behind reloads the whole state. */
    public static final Duration STATE_CHANGES_RETENTION = Duration.ofHours(1);
    /** Rows one purge statement deletes at most. */
    public static final int PURGE_CHUNK = 10_000;
    /** How long one round may spend deleting; what is left is deleted next round. */
    public static final Duration PURGE_BUDGET = Duration.ofSeconds(30);

    private final Database database;
    private final Clock clock;
    private final Duration replayWindow;
    private final java.util.concurrent.atomic.AtomicLong decisionIdsPurged = new java.util.concurrent.atomic.AtomicLong();
    private final ScheduledExecutorService scheduler;
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    private volatile int partitionsAhead = -1;
    private final dev.aigov.server.evidence.AuditRetention retention;

    Housekeeping(Database database, Clock clock, Duration replayWindow) {
        this(database, clock, replayWindow, dev.aigov.server.evidence.AuditRetention.Config.KEEP_EVERYTHING);
    }

    Housekeeping(Database database, Clock clock, Duration replayWindow, dev.aigov.server.evidence.AuditRetention.Config retention) {
        this.retention = new dev.aigov.server.evidence.AuditRetention(database.dsl(), clock, retention);
        this.database = database;
        this.clock = clock;
        this.replayWindow = replayWindow;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("aigov-housekeeping").daemon().factory());
    }

    /** Starts the hourly round; the first one runs at once. */
    public static Housekeeping start(Database database, Clock clock, Duration replayWindow,
            dev.aigov.server.evidence.AuditRetention.Config retention) {
        Housekeeping housekeeping = new Housekeeping(database, clock, replayWindow, retention);
        housekeeping.scheduler.scheduleWithFixedDelay(housekeeping::runOnce, 0, 1, TimeUnit.HOURS);
        housekeeping.scheduler.scheduleWithFixedDelay(housekeeping::forgetExpiredDecisionIds, 1, 1, TimeUnit.MINUTES);
        return housekeeping;
    }

    /** One round; failures are logged and retried next round, never thrown. */
    void runOnce() {
        try {
            int created = database.ensureAuditPartitions();
            if (created > 0) {
                LOG.info("Created {} monthly audit partition(s)", created);
            }
            Instant cutoff = clock.instant().minus(IDEMPOTENCY_RETENTION);
            long purged = inChunks(() -> IdempotencyRepository.purgeChunkCreatedBefore(database.dsl(), cutoff, PURGE_CHUNK));
            if (purged > 0) {
                LOG.info("Forgot {} idempotency record(s) older than {} days", purged, IDEMPOTENCY_RETENTION.toDays());
            }
            dev.aigov.db.jooq.Routines.purgeStateChanges(database.dsl().configuration(), (int) STATE_CHANGES_RETENTION.toSeconds());
            forgetExpiredDecisionIds();
            partitionsAhead = database.auditPartitionsAhead();
            // Its own failures are logged and counted apart (aigov_audit_retention_failures): never thrown.
            retention.runOnce();
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn("Housekeeping failed; it runs again within the hour: {}", e.getMessage());
        }
    }

    /** Forgets the decisions' request_ids older than the replay window, in bounded chunks. Never throws. */
    void forgetExpiredDecisionIds() {
        try {
            Instant cutoff = clock.instant().minus(replayWindow);
            decisionIdsPurged.addAndGet(inChunks(() -> DecisionClaims.purgeChunk(database.dsl(), cutoff, PURGE_CHUNK)));
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn("Forgetting expired decision request_ids failed; it runs again within a minute: {}", e.getMessage());
        }
    }

    /** Runs one bounded delete after another until one deletes less than a chunk or the budget is spent; returns the rows deleted. */
    private static long inChunks(java.util.function.IntSupplier chunk) {
        long deadline = System.nanoTime() + PURGE_BUDGET.toNanos();
        long total = 0;
        int deleted;
        do {
            deleted = chunk.getAsInt();
            total += deleted;
        } while (deleted >= PURGE_CHUNK && System.nanoTime() - deadline < 0);
        return total;
    }

    /** Decision request_ids forgotten since start (their replay window passed). */
    public long decisionIdsForgotten() {
        return decisionIdsPurged.get();
    }

    /** Rounds that failed since start (each is logged, and retried within the hour). */
    public long failures() {
        return failures.get();
    }

    /** The audit trail's retention (its metrics). */
    public dev.aigov.server.evidence.AuditRetention retention() {
        return retention;
    }

    /** Monthly audit partitions ready after the current month, as of the last round; -1 before one succeeded. */
    public int partitionsAhead() {
        return partitionsAhead;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
