package dev.aigov.server.evaluation;

import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.Snapshot;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Makes a decision durable before it is answered: the seam between the decision service and the
 * audit trail (one transaction per call, or a group-commit writer).
 */
public interface DecisionRecorder {

    /**
     * A decision ready to be recorded: the caller's principal, the request's fingerprint, the
     * snapshot it was decided on (a recorder may re-decide it on a newer state before it commits),
     * and whether its caller has gone (deadline passed, call cancelled): then nobody waits for it.
     */
    record Pending(UUID decisionId, UUID auditEventId, Instant evaluatedAt, String principal,
            DecisionRequest request, Snapshot snapshot, Decision decision, byte[] fingerprint,
            BooleanSupplier callerGone) {
    }

    /**
     * Records the decision durably; the future completes with what to answer once it is committed:
     * the decision itself, the same request re-decided on a state that changed before the commit,
     * or, when the request's request_id was already recorded with the same fingerprint and the same
     * decision, the first decision. The future never completes before the record is durable.
     *
     * <p>The future fails with {@link dev.aigov.server.error.RequestIdReused} when the request_id was
     * used for another request, {@link dev.aigov.server.error.Overloaded} when the recorder cannot
     * take more work, {@link dev.aigov.server.error.CallerGone} when the caller had gone before its
     * turn (nothing is recorded), and {@link dev.aigov.server.error.StorageUnavailable} when the
     * record could not be made durable.
     */
    CompletableFuture<RecordedDecision> record(Pending pending);
}
