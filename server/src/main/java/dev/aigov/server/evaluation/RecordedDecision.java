package dev.aigov.server.evaluation;

import dev.aigov.core.Decision;
import dev.aigov.server.evidence.IssuedReceipt;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A decision as answered: the pure decision plus its identity, time, audit record and the receipt
 * that proves the record (empty only for a replay of a decision recorded before evidence began).
 */
public record RecordedDecision(UUID decisionId, Instant evaluatedAt, UUID auditEventId, Decision decision,
        Optional<IssuedReceipt> receipt) {

    /** The same decision, with its receipt. */
    public RecordedDecision withReceipt(Optional<IssuedReceipt> proof) {
        return new RecordedDecision(decisionId, evaluatedAt, auditEventId, decision, proof);
    }
}
