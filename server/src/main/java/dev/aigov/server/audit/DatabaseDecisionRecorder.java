package dev.aigov.server.audit;

import dev.aigov.server.decision.DecisionRecorder;
import dev.aigov.server.decision.RecordedDecision;
import dev.aigov.server.storage.IdempotencyRepository;
import dev.aigov.server.storage.Transactions;
import org.jooq.DSLContext;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Records each decision in its own transaction, on the caller's thread: the audit event and, for a
 * request with a request_id, its idempotency record, committed together before the answer leaves.
 * This is the naive hot path ({@code AIGOV_HOT_PATH=naive}), kept as the baseline that
 * {@link GroupCommitRecorder} is measured against.
 *
 * <p>A retry with the same request_id gets the first decision back, and nothing is written, only
 * while that decision is still exactly what would be decided now. Once the state has moved (a
 * pause, a policy change), the retry is decided afresh and recorded as a decision of its own:
 * a replay must never carry an old ALLOW past the emergency stop.
 */
public final class DatabaseDecisionRecorder implements DecisionRecorder {
    static final String OPERATION = "EvaluateAiRequest";

    private final DSLContext dsl;

    public DatabaseDecisionRecorder(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public CompletableFuture<RecordedDecision> record(Pending pending) {
        try {
            return CompletableFuture.completedFuture(recordNow(pending));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private RecordedDecision recordNow(Pending pending) {
        return Transactions.inTransaction(dsl, "recording the decision", tx -> {
            Optional<UUID> requestId = pending.request().requestId();
            if (requestId.isPresent()) {
                Optional<IdempotencyRepository.PriorResult> prior =
                        IdempotencyRepository.claim(tx, requestId.get(), OPERATION, pending.fingerprint(), pending.evaluatedAt());
                if (prior.isPresent()) {
                    AuditEvent.DecisionMade first = firstDecision(tx, prior.get());
                    if (first.decision().equals(pending.decision())) {
                        return new RecordedDecision(first.decisionId(), first.header().occurredAt(),
                                first.header().eventId(), first.decision());
                    }
                }
            }
            AuditEvent.DecisionMade event = new AuditEvent.DecisionMade(
                    new AuditEvent.Header(pending.auditEventId(), pending.evaluatedAt(), pending.request().workspaceId(),
                            pending.principal(), requestId),
                    pending.request(), pending.decisionId(), pending.decision());
            AuditRepository.insert(tx, event);
            // The request_id now names this decision: a later retry is compared with it.
            requestId.ifPresent(id -> IdempotencyRepository.completeWithEvent(tx, id, pending.auditEventId(), pending.evaluatedAt()));
            return new RecordedDecision(pending.decisionId(), pending.evaluatedAt(), pending.auditEventId(), pending.decision());
        });
    }

    private static AuditEvent.DecisionMade firstDecision(DSLContext tx, IdempotencyRepository.PriorResult prior) {
        UUID eventId = prior.eventId().orElseThrow();
        return AuditRepository.findDecision(tx, eventId, prior.eventAt().orElseThrow())
                .orElseThrow(() -> new IllegalStateException("idempotency record names a missing audit event " + eventId));
    }
}
