package dev.aigov.server.testing;

import dev.aigov.server.config.EvidenceConfig;
import dev.aigov.server.evidence.Evidence;
import dev.aigov.server.evidence.ReplicaKey;
import java.time.Clock;
import java.time.Duration;

/** Evidence for a test's own writer or service: a key of its own, the default receipt TTL, a clock in microseconds. */
public final class TestEvidence {
    private TestEvidence() {
    }

    public static Evidence create() {
        return new Evidence(ReplicaKey.ephemeral("test"), EvidenceConfig.DEFAULT_RECEIPT_TTL, micros(Clock.systemUTC()));
    }

    /** The clock as the server ticks it: whole microseconds, as PostgreSQL keeps them. */
    public static Clock micros(Clock clock) {
        return Clock.tick(clock, Duration.ofNanos(1_000));
    }
}
