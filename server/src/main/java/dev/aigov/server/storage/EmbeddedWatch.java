package dev.aigov.server.storage;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heals the embedded PostgreSQL: checks twice a second that its postmaster is alive (no database
 * round trip) and, when it died, starts it again on the same port (PostgreSQL recovers from its
 * WAL), retrying with backoff. Calls meanwhile fail UNAVAILABLE (the pool cannot connect). When no
 * attempt succeeds, {@link #alive()} turns false, so that liveness reports NOT_SERVING and a
 * supervisor restarts the process; it keeps trying all the same ({@link EmbeddedTimings}).
 */
final class EmbeddedWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedWatch.class);
    static final Duration CHECK_INTERVAL = Duration.ofMillis(500);
    private final EmbeddedCluster cluster;
    private final HikariDataSource pool;
    private final EmbeddedTimings timings;
    private final ScheduledExecutorService scheduler;
    private volatile boolean alive = true;
    private volatile boolean closed;

    private EmbeddedWatch(EmbeddedCluster cluster, HikariDataSource pool, EmbeddedTimings timings) {
        this.cluster = cluster;
        this.pool = pool;
        this.timings = timings;
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("aigov-embedded-postgres-watch").daemon().factory());
    }

    static EmbeddedWatch start(EmbeddedCluster cluster, HikariDataSource pool, EmbeddedTimings timings) {
        EmbeddedWatch watch = new EmbeddedWatch(cluster, pool, timings);
        watch.scheduler.scheduleWithFixedDelay(watch::checkOnce, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        return watch;
    }

    boolean alive() {
        return alive;
    }

    private void checkOnce() {
        if (closed || cluster.postmasterAlive()) {
            return;
        }
        long started = System.nanoTime();
        LOG.warn("The embedded PostgreSQL (port {}) died; starting it again", cluster.port());
        List<Duration> waits = alive ? timings.restartBackoff() : List.of(Duration.ZERO);
        for (int attempt = 0; attempt < waits.size() && !closed; attempt++) {
            try {
                Thread.sleep(waits.get(attempt).toMillis());
                cluster.restart();
                // Connections to the dead postmaster are broken: replace them rather than fail calls one by one.
                pool.getHikariPoolMXBean().softEvictConnections();
                alive = true;
                LOG.info("The embedded PostgreSQL serves again on port {} after {} ms", cluster.port(),
                        Duration.ofNanos(System.nanoTime() - started).toMillis());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("Could not start the embedded PostgreSQL again (attempt {} of {}): {}", attempt + 1, waits.size(), e.getMessage());
            }
        }
        if (!closed && alive) {
            alive = false;
            LOG.error("The embedded PostgreSQL cannot be started again; liveness reports NOT_SERVING so that the process is "
                    + "restarted (retrying every {} ms meanwhile)", timings.giveUpRetry().toMillis());
        }
        if (!closed) {
            try {
                Thread.sleep(timings.giveUpRetry().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
