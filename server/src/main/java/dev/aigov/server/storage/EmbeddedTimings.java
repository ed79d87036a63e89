package dev.aigov.server.storage;

import java.time.Duration;
import java.util.List;

/**
 * How long the embedded PostgreSQL may take to start, and how its restarts are paced when its
 * postmaster dies: one attempt after each wait of {@code restartBackoff}; all failed, the process
 * is no longer alive (liveness NOT_SERVING) and one attempt follows every {@code giveUpRetry}.
 */
record EmbeddedTimings(Duration startupWait, List<Duration> restartBackoff, Duration giveUpRetry) {
    /** Crash recovery replays the WAL before the first connection; about 15 s of restart attempts (plus their start-up waits). */
    static final EmbeddedTimings DEFAULT = new EmbeddedTimings(Duration.ofSeconds(30),
            List.of(Duration.ZERO, Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                    Duration.ofSeconds(8)),
            Duration.ofSeconds(30));

    EmbeddedTimings {
        restartBackoff = List.copyOf(restartBackoff);
        if (restartBackoff.isEmpty()) {
            throw new IllegalArgumentException("at least one restart attempt");
        }
    }
}
