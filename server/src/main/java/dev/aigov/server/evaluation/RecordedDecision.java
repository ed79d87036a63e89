package dev.aigov.server.evaluation;

import dev.aigov.core.Decision;
import java.time.Instant;
import java.util.UUID;

/** A decision as answered: the pure decision plus its identity, time and audit record. */
public record RecordedDecision(UUID decisionId, Instant evaluatedAt, UUID auditEventId, Decision decision) {
}
