package dev.aigov.server.storage;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a long-running server must keep doing: create next months' audit partitions before they
 * are needed, and forget idempotency records past their retention. Hourly, on one daemon thread;
 * safe with several replicas (partition creation takes an advisory lock; deletes are idempotent).
 */
public final class Housekeeping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
    /** How long a request_id is remembered: a retry within a week returns the first result. */
    public static final Duration IDEMPOTENCY_RETENTION = Duration.ofDays(7);

    private final Database database;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    private volatile int partitionsAhead = -1;

    Housekeeping(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("aigov-housekeeping").daemon().factory());
    }

    /** Starts the hourly round; the first one runs at once. */
    public static Housekeeping start(Database database, Clock clock) {
        Housekeeping housekeeping = new Housekeeping(database, clock);
        housekeeping.scheduler.scheduleWithFixedDelay(housekeeping::runOnce, 0, 1, TimeUnit.HOURS);
        return housekeeping;
    }

    /** One round; failures are logged and retried next round, never thrown. */
    void runOnce() {
        try {
            int created = database.ensureAuditPartitions();
            if (created > 0) {
                LOG.info("Created {} monthly audit partition(s)", created);
            }
            int purged = IdempotencyRepository.purgeCreatedBefore(database.dsl(), clock.instant().minus(IDEMPOTENCY_RETENTION));
            if (purged > 0) {
                LOG.info("Forgot {} idempotency record(s) older than {} days", purged, IDEMPOTENCY_RETENTION.toDays());
            }
            partitionsAhead = database.auditPartitionsAhead();
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn("Housekeeping failed; it runs again within the hour: {}", e.getMessage());
        }
    }

    /** Rounds that failed since start (each is logged, and retried within the hour). */
    public long failures() {
        return failures.get();
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
