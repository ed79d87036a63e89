package dev.aigov.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the audit trail is made evidence (docs/evidence.md).
 *
 * @param signingKeyFile the replica's signing key (AIGOV_SIGNING_KEY_FILE; made there if missing).
 *                       Empty: {@code signing-key.pem} in the data directory on an embedded database, a
 *                       key for the process alone on an external one
 * @param receiptTtl     how long a decision's receipt is valid (AIGOV_RECEIPT_TTL, whole seconds, 1 s to 1 h)
 * @param checkpointDir  where the latest checkpoints are appended, for an operator to ship elsewhere
 *                       (AIGOV_CHECKPOINT_DIR; empty: not written)
 */
public record EvidenceConfig(Optional<Path> signingKeyFile, Duration receiptTtl, Optional<Path> checkpointDir) {
    public static final Duration DEFAULT_RECEIPT_TTL = Duration.ofSeconds(60);
    public static final EvidenceConfig DEFAULT = new EvidenceConfig(Optional.empty(), DEFAULT_RECEIPT_TTL, Optional.empty());

    public EvidenceConfig {
        Objects.requireNonNull(signingKeyFile, "signingKeyFile");
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        if (receiptTtl.getNano() != 0 || receiptTtl.compareTo(Duration.ofSeconds(1)) < 0
                || receiptTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("AIGOV_RECEIPT_TTL must be whole seconds from 1s to 1h (got " + receiptTtl + ")");
        }
    }
}
