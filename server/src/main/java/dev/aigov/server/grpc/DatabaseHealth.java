package dev.aigov.server.grpc;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the aigov services NOT_SERVING through grpc.health.v1 while their database does not
 * answer, and SERVING again once it does, so a readiness probe takes the replica out of rotation
 * (every call would be UNAVAILABLE there). The server as a whole (service "") is the liveness
 * signal: restarting every replica would not bring an external database back, so it stays
 * SERVING through an outage, and turns NOT_SERVING only when the process cannot recover by itself
 * (an embedded database that could not be restarted).
 * Checks on one daemon thread; logs transitions, not checks.
 */
public final class DatabaseHealth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);
    /** How often the database is asked in production. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    /** Returns when the database answers; throws, bounded in time, when it does not. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    private final Check check;
    private final BooleanSupplier processAlive;
    private final HealthStatusManager health;
    private final List<String> services;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    private volatile boolean reachable = true;
    private boolean alive = true;
    private volatile boolean closed;

    /**
     * @param services the grpc.health.v1 names whose status follows the database; they are marked
     *                 SERVING on {@link #start()} (the database was just migrated)
     */
    public DatabaseHealth(Check check, HealthStatusManager health, List<String> services, Duration interval) {
        this(check, () -> true, health, services, interval);
    }

    /**
     * @param processAlive false when the process cannot recover by itself (its embedded database
     *                     could not be restarted): liveness ("") then reports NOT_SERVING, so that
     *                     a supervisor restarts the process
     */
    public DatabaseHealth(Check check, BooleanSupplier processAlive, HealthStatusManager health, List<String> services, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive (got " + interval + ")");
        }
        this.check = check;
        this.processAlive = processAlive;
        this.health = health;
        this.services = List.copyOf(services);
        this.interval = interval;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("aigov-database-health").daemon().factory());
    }

    /** Marks the services SERVING and starts checking; the first check runs at once. */
    public DatabaseHealth start() {
        setStatus(ServingStatus.SERVING);
        scheduler.scheduleWithFixedDelay(this::checkOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One check; changes the services' status only when reachability changed. Never throws. */
    synchronized void checkOnce() {
        String failure;
        try {
            check.run();
            failure = null;
        } catch (Exception e) {
            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        if (closed) {
            return; // an interrupted check at shutdown says nothing about the database
        }
        boolean nowAlive = processAlive.getAsBoolean();
        if (nowAlive != alive) {
            alive = nowAlive;
            health.setStatus("", nowAlive ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
            if (nowAlive) {
                LOG.info("The embedded database is back; liveness reports SERVING again");
            } else {
                LOG.error(
                        "The embedded database cannot be restarted; liveness (\"\") reports NOT_SERVING so that the process is restarted");
            }
        }
        boolean nowReachable = failure == null;
        if (nowReachable == reachable) {
            return;
        }
        reachable = nowReachable;
        if (nowReachable) {
            setStatus(ServingStatus.SERVING);
            LOG.info("Ready again (database reachable and durable, decision state current); {} report SERVING", services);
        } else {
            setStatus(ServingStatus.NOT_SERVING);
            LOG.warn("Not ready: {}; {} report NOT_SERVING until that is resolved", failure, services);
        }
    }

    private void setStatus(ServingStatus status) {
        for (String service : services) {
            health.setStatus(service, status);
        }
    }

    /** Whether aigov's services report SERVING now (the database answered the last check). */
    public boolean serving() {
        return reachable && !closed;
    }

    /** Stops checking; waits briefly for a check in progress, so none changes a status afterwards. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
