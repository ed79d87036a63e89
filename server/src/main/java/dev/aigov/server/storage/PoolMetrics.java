package dev.aigov.server.storage;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;

import java.util.function.BiFunction;

/**
 * HikariCP's metrics tracker of one pool, handed to whoever reports it now. HikariCP creates a
 * pool's tracker once, when the pool starts; a server starts after its database (and tests start
 * many servers on one database), so the tracker delegates to the current reporter.
 */
final class PoolMetrics implements MetricsTrackerFactory, IMetricsTracker {
    private static final IMetricsTracker NONE = new IMetricsTracker() {
    };

    private volatile String poolName = "aigov";
    private volatile PoolStats stats;
    private volatile IMetricsTracker target = NONE;

    @Override
    public IMetricsTracker create(String name, PoolStats poolStats) {
        this.poolName = name;
        this.stats = poolStats;
        return this;
    }

    /** Reports this pool through the tracker {@code reporter} makes of its name and statistics, until closed. */
    AutoCloseable reportTo(BiFunction<String, PoolStats, IMetricsTracker> reporter) {
        if (stats == null) {
            throw new IllegalStateException("the pool has not started");
        }
        IMetricsTracker tracker = reporter.apply(poolName, stats);
        target = tracker;
        return () -> {
            if (target == tracker) {
                target = NONE;
            }
            tracker.close();
        };
    }

    @Override
    public void recordConnectionCreatedMillis(long millis) {
        target.recordConnectionCreatedMillis(millis);
    }

    @Override
    public void recordConnectionAcquiredNanos(long nanos) {
        target.recordConnectionAcquiredNanos(nanos);
    }

    @Override
    public void recordConnectionUsageMillis(long millis) {
        target.recordConnectionUsageMillis(millis);
    }

    @Override
    public void recordConnectionTimeout() {
        target.recordConnectionTimeout();
    }
}
