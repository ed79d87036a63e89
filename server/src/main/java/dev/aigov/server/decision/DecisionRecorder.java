package dev.aigov.server.decision;

import java.util.UUID;

/**
 * Makes a decision durable before it is answered: the seam between the decision service and the
 * audit trail (one insert per call, or a group-commit writer).
 */
public interface DecisionRecorder {

    /** A decision ready to be recorded, with the caller's principal and the request's fingerprint. */
    record Pending(UUID decisionId, UUID auditEventId, java.time.Instant evaluatedAt, String principal,
                   DecisionRequest request, Decision decision, byte[] fingerprint) {
    }

    /**
     * Records the decision durably and returns what to answer: the decision itself, or, when the
     * request's request_id was already recorded with the same fingerprint, the first decision.
     *
     * @throws dev.aigov.server.error.RequestIdReused    the request_id was used for another request
     * @throws dev.aigov.server.error.StorageUnavailable the record could not be made durable
     */
    RecordedDecision record(Pending pending);
}
