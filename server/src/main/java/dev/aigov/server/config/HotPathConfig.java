package dev.aigov.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How EvaluateAiRequest runs: decisions from the in-memory state, recorded (and made final) by the
 * group-commit writer.
 *
 * @param maxStaleness       how old the in-memory state may be before evaluations fail closed (AIGOV_MAX_STALENESS)
 * @param auditQueueCapacity decisions that may wait for the audit writer; beyond it calls are refused (AIGOV_AUDIT_QUEUE_CAPACITY)
 * @param auditBatchMax      decisions one audit transaction records at most (AIGOV_AUDIT_BATCH_MAX)
 * @param auditWriters       audit transactions in flight at once (AIGOV_AUDIT_WRITERS)
 * @param replayWindow       how long a decision's request_id is remembered (AIGOV_DECISION_REPLAY_WINDOW)
 */
public record HotPathConfig(Duration maxStaleness, int auditQueueCapacity, int auditBatchMax, int auditWriters, Duration replayWindow) {
    /** The default replay window of decisions: far beyond a client's retries (seconds), far below the mutations' week. */
    public static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofMinutes(15);
    public static final HotPathConfig DEFAULT = new HotPathConfig(Duration.ofSeconds(1), 10_000, 500, 2);

    /** With the default replay window. */
    public HotPathConfig(Duration maxStaleness, int auditQueueCapacity, int auditBatchMax, int auditWriters) {
        this(maxStaleness, auditQueueCapacity, auditBatchMax, auditWriters, DEFAULT_REPLAY_WINDOW);
    }

    public HotPathConfig {
        Objects.requireNonNull(maxStaleness, "maxStaleness");
        Objects.requireNonNull(replayWindow, "replayWindow");
        if (replayWindow.compareTo(Duration.ofMinutes(1)) < 0 || replayWindow.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("AIGOV_DECISION_REPLAY_WINDOW must be 1m to 24h (got " + replayWindow.toSeconds() + " s)");
        }
        if (maxStaleness.compareTo(Duration.ofMillis(20)) < 0 || maxStaleness.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("AIGOV_MAX_STALENESS must be 20ms to 10m (got " + maxStaleness.toMillis() + " ms)");
        }
        if (auditQueueCapacity < 1 || auditQueueCapacity > 1_000_000) {
            throw new IllegalArgumentException("AIGOV_AUDIT_QUEUE_CAPACITY must be 1 to 1000000 (got " + auditQueueCapacity + ")");
        }
        if (auditBatchMax < 1 || auditBatchMax > 500) {
            throw new IllegalArgumentException("AIGOV_AUDIT_BATCH_MAX must be 1 to 500 (got " + auditBatchMax + ")");
        }
        if (auditWriters < 1 || auditWriters > 16) {
            throw new IllegalArgumentException("AIGOV_AUDIT_WRITERS must be 1 to 16 (got " + auditWriters + ")");
        }
    }

    /** What the start-up line says about it. */
    public String describe() {
        return "hot path (in-memory state, max staleness " + maxStaleness.toMillis() + " ms; group-commit audit, "
                + auditWriters + " writer(s), batches up to " + auditBatchMax + ", queue " + auditQueueCapacity
                + "; decision request_ids kept "
                + replayWindow.toMinutes() + " min)";
    }
}
