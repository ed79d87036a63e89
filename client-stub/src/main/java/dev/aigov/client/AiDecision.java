package dev.aigov.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * AiDecision is aigov's answer to one {@link AiRequest}, or the client's own block when no
 * trustworthy answer could be had. Immutable and thread-safe.
 *
 * <p>{@link #allowed()} is true only for an ALLOW the server sent in full (with a decision id and an
 * audit event id, and no reasons). Everything else is a block: a server BLOCK, any error, timeout,
 * cancellation or unreachable server, and any answer this client cannot read. The client's own
 * blocks have the reason {@link BlockReason#GOVERNANCE_UNAVAILABLE} and a {@link #failure()}.
 *
 * <p>There is no public constructor: decisions come only from {@link AiGovernanceClient}.
 */
public final class AiDecision {

    private final boolean allowed;
    private final List<BlockReason> reasons;
    private final List<DataClassification> rejectedClassifications;
    private final UUID requestId;
    private final String decisionId;
    private final String auditEventId;
    private final String message;
    private final DecisionBasis basis;
    private final GovernanceFailure failure;

    private AiDecision(
            boolean allowed,
            List<BlockReason> reasons,
            List<DataClassification> rejectedClassifications,
            UUID requestId,
            String decisionId,
            String auditEventId,
            String message,
            DecisionBasis basis,
            GovernanceFailure failure) {
        this.allowed = allowed;
        this.reasons = List.copyOf(reasons);
        this.rejectedClassifications = List.copyOf(rejectedClassifications);
        this.requestId = Objects.requireNonNull(requestId, "requestId");
        this.decisionId = decisionId;
        this.auditEventId = auditEventId;
        this.message = Objects.requireNonNull(message, "message");
        this.basis = basis;
        this.failure = failure;
    }

    static AiDecision allow(UUID requestId, String decisionId, String auditEventId, String message, DecisionBasis basis) {
        return new AiDecision(true, List.of(), List.of(), requestId, decisionId, auditEventId, message, basis, null);
    }

    static AiDecision block(
            UUID requestId,
            List<BlockReason> reasons,
            List<DataClassification> rejectedClassifications,
            String decisionId,
            String auditEventId,
            String message,
            DecisionBasis basis) {
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("a block needs a reason");
        }
        return new AiDecision(false, reasons, rejectedClassifications, requestId, decisionId, auditEventId, message,
                basis, null);
    }

    /**
     * The client's own block: no trustworthy answer. Keeps the server's ids, if an untrusted answer
     * had them, so the event can still be found in the audit trail.
     */
    static AiDecision unavailable(UUID requestId, GovernanceFailure failure, String decisionId, String auditEventId) {
        String message = "No trustworthy answer from aigov (" + failure + "); treated as a block.";
        return new AiDecision(false, List.of(BlockReason.GOVERNANCE_UNAVAILABLE), List.of(), requestId,
                decisionId, auditEventId, message, null, Objects.requireNonNull(failure, "failure"));
    }

    /** True only for a complete ALLOW from the server: the AI work may proceed exactly as requested. */
    public boolean allowed() {
        return allowed;
    }

    /** The primary reason of a block (the first failing rule); empty on an allow. */
    public Optional<BlockReason> reason() {
        return reasons.isEmpty() ? Optional.empty() : Optional.of(reasons.get(0));
    }

    /** Every reason of a block, primary first, in the server's precedence order; empty on an allow. */
    public List<BlockReason> reasons() {
        return reasons;
    }

    /** The declared classifications the use case does not permit; often empty. */
    public List<DataClassification> rejectedClassifications() {
        return rejectedClassifications;
    }

    /**
     * The request id this decision was asked with: the caller's, or the one the client generated.
     * The audit event carries it.
     */
    public UUID requestId() {
        return requestId;
    }

    /** The server's id for this decision; empty when the server gave none. */
    public Optional<String> decisionId() {
        return Optional.ofNullable(decisionId);
    }

    /** The id of the audit event that records this decision; empty when the server gave none. */
    public Optional<String> auditEventId() {
        return Optional.ofNullable(auditEventId);
    }

    /** A sentence or two for a person: the server's explanation, or the client's. */
    public String message() {
        return message;
    }

    /** The state the server decided on; empty for the client's own blocks. */
    public Optional<DecisionBasis> basis() {
        return Optional.ofNullable(basis);
    }

    /**
     * Why the client blocked on its own ({@link BlockReason#GOVERNANCE_UNAVAILABLE}): the gRPC status
     * and error details. Empty for the server's own decisions.
     */
    public Optional<GovernanceFailure> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(allowed ? "ALLOW" : "BLOCK");
        if (!allowed) {
            text.append(' ').append(reasons);
        }
        if (!rejectedClassifications.isEmpty()) {
            text.append(" rejected=").append(rejectedClassifications);
        }
        text.append(" requestId=").append(requestId);
        if (decisionId != null) {
            text.append(" decisionId=").append(decisionId);
        }
        if (failure != null) {
            text.append(" failure=").append(failure);
        }
        return text.toString();
    }
}
