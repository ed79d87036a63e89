package dev.aigov.server.audit;

import dev.aigov.server.decision.DecisionRecorder;
import dev.aigov.server.decision.RecordedDecision;
import dev.aigov.server.storage.IdempotencyRepository;
import dev.aigov.server.storage.Transactions;
import org.jooq.DSLContext;

import java.util.Optional;
import java.util.UUID;

/**
 * Records each decision in its own transaction: the audit event and, for a request with a
 * request_id, its idempotency record, committed together before the answer leaves.
 */
public final class DatabaseDecisionRecorder implements DecisionRecorder {
    static final String OPERATION = "EvaluateAiRequest";

    private final DSLContext dsl;

    public DatabaseDecisionRecorder(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public RecordedDecision record(Pending pending) {
        return Transactions.inTransaction(dsl, "recording the decision", tx -> {
            Optional<UUID> requestId = pending.request().requestId();
            if (requestId.isPresent()) {
                Optional<IdempotencyRepository.PriorResult> prior =
                        IdempotencyRepository.claim(tx, requestId.get(), OPERATION, pending.fingerprint(), pending.evaluatedAt());
                if (prior.isPresent()) {
                    return replay(tx, prior.get());
                }
            }
            AuditEvent.DecisionMade event = new AuditEvent.DecisionMade(
                    new AuditEvent.Header(pending.auditEventId(), pending.evaluatedAt(), pending.request().workspaceId(),
                            pending.principal(), requestId),
                    pending.request(), pending.decisionId(), pending.decision());
            AuditRepository.insert(tx, event);
            requestId.ifPresent(id -> IdempotencyRepository.completeWithEvent(tx, id, pending.auditEventId(), pending.evaluatedAt()));
            return new RecordedDecision(pending.decisionId(), pending.evaluatedAt(), pending.auditEventId(), pending.decision());
        });
    }

    private static RecordedDecision replay(DSLContext tx, IdempotencyRepository.PriorResult prior) {
        UUID eventId = prior.eventId().orElseThrow();
        AuditEvent.DecisionMade first = AuditRepository.findDecision(tx, eventId, prior.eventAt().orElseThrow())
                .orElseThrow(() -> new IllegalStateException("idempotency record names a missing audit event " + eventId));
        return new RecordedDecision(first.decisionId(), first.header().occurredAt(), eventId, first.decision());
    }
}
