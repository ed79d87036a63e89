package dev.aigov.client;

import dev.aigov.evidence.Receipt;
import dev.aigov.evidence.ReceiptVerifier;
import java.io.Serial;
import java.io.Serializable;
import java.time.Instant;
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
 * blocks have a {@link #failure()} and its kind's reason ({@link BlockReason#GOVERNANCE_UNAVAILABLE},
 * {@link BlockReason#GOVERNANCE_REJECTED_CALLER}, {@link BlockReason#GOVERNANCE_REJECTED_REQUEST} or
 * {@link BlockReason#GOVERNANCE_CLIENT_OUTDATED}).
 *
 * <p>Decisions come from an {@link AiGovernance}. The public factories ({@link #allow},
 * {@link #block}, {@link #failed}, and the {@code test*} shortcuts) build decisions by hand for tests
 * and test doubles; a hand-built ALLOW opens no guard of {@link AiGovernanceClient}, which trusts only
 * the server's answers. Serializable, so an {@link AiExecutionBlockedException} keeps it.
 */
public final class AiDecision implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final boolean allowed;
    private final List<BlockReason> reasons;
    private final List<DataClassification> rejectedClassifications;
    private final UUID requestId;
    private final String decisionId;
    private final String auditEventId;
    private final String message;
    private final DecisionBasis basis;
    private final GovernanceFailure failure;
    /** Null in a decision serialized by a client before 0.x had them: read as empty. */
    private final List<ProviderClass> permittedProviderClasses;
    private final List<DataClassification> permittedDataClassifications;
    /** Null when the server sent none (or a decision serialized before receipts). */
    private final Receipt receipt;
    /** What the client verified of the receipt; not serialized (a copy is verified again by whoever reads it). */
    private final transient ReceiptVerifier.Verified verifiedReceipt;

    private AiDecision(
            boolean allowed,
            List<BlockReason> reasons,
            List<DataClassification> rejectedClassifications,
            UUID requestId,
            String decisionId,
            String auditEventId,
            String message,
            DecisionBasis basis,
            GovernanceFailure failure,
            List<ProviderClass> permittedProviderClasses,
            List<DataClassification> permittedDataClassifications) {
        this(allowed, reasons, rejectedClassifications, requestId, decisionId, auditEventId, message, basis, failure,
                permittedProviderClasses, permittedDataClassifications, null, null);
    }

    private AiDecision(
            boolean allowed,
            List<BlockReason> reasons,
            List<DataClassification> rejectedClassifications,
            UUID requestId,
            String decisionId,
            String auditEventId,
            String message,
            DecisionBasis basis,
            GovernanceFailure failure,
            List<ProviderClass> permittedProviderClasses,
            List<DataClassification> permittedDataClassifications,
            Receipt receipt,
            ReceiptVerifier.Verified verifiedReceipt) {
        this.receipt = receipt;
        this.verifiedReceipt = verifiedReceipt;
        this.allowed = allowed;
        this.reasons = List.copyOf(reasons);
        this.rejectedClassifications = List.copyOf(rejectedClassifications);
        this.requestId = Objects.requireNonNull(requestId, "requestId");
        this.decisionId = decisionId;
        this.auditEventId = auditEventId;
        this.message = Objects.requireNonNull(message, "message");
        this.basis = basis;
        this.failure = failure;
        this.permittedProviderClasses = List.copyOf(permittedProviderClasses);
        this.permittedDataClassifications = List.copyOf(permittedDataClassifications);
    }

    /**
     * An ALLOW, as the server sends one.
     *
     * @param basis the state it was decided on; an ALLOW needs one under which aigov allows at all
     */
    public static AiDecision allow(UUID requestId, String decisionId, String auditEventId, String message,
            DecisionBasis basis) {
        Objects.requireNonNull(decisionId, "decisionId");
        Objects.requireNonNull(auditEventId, "auditEventId");
        Objects.requireNonNull(basis, "basis");
        return new AiDecision(true, List.of(), List.of(), requestId, decisionId, auditEventId, message, basis, null, List.of(),
                List.of());
    }

    /**
     * A BLOCK by the server's rules.
     *
     * @param reasons every failing rule, primary first; at least one, none of the client's own
     *     {@code GOVERNANCE_*} reasons (use {@link #failed} for those)
     * @param decisionId the server's decision id; {@code null} for none
     * @param auditEventId the audit event's id; {@code null} for none
     * @param basis the state it was decided on; {@code null} for none
     */
    public static AiDecision block(
            UUID requestId,
            List<BlockReason> reasons,
            List<DataClassification> rejectedClassifications,
            String decisionId,
            String auditEventId,
            String message,
            DecisionBasis basis) {
        return block(requestId, reasons, rejectedClassifications, decisionId, auditEventId, message, basis, List.of(), List.of());
    }

    /**
     * A BLOCK by the server's rules that says what would pass: the server sets the permitted provider
     * classes and data classifications on a block whose only failing rules are
     * {@link BlockReason#PROVIDER_CLASS_NOT_PERMITTED} and {@link BlockReason#DATA_CLASSIFICATION_NOT_PERMITTED}.
     *
     * @param permittedProviderClasses the provider classes the use case permits under the policy it
     *     was decided on (possibly none); empty for any other block
     * @param permittedDataClassifications the data classifications the use case permits; empty for
     *     any other block
     */
    public static AiDecision block(
            UUID requestId,
            List<BlockReason> reasons,
            List<DataClassification> rejectedClassifications,
            String decisionId,
            String auditEventId,
            String message,
            DecisionBasis basis,
            List<ProviderClass> permittedProviderClasses,
            List<DataClassification> permittedDataClassifications) {
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("a block needs a reason");
        }
        if (reasons.stream().anyMatch(BlockReason::isFailure)) {
            throw new IllegalArgumentException("a failure is not a rule: use AiDecision.failed");
        }
        return new AiDecision(false, reasons, rejectedClassifications, requestId, decisionId, auditEventId, message,
                basis, null, permittedProviderClasses, permittedDataClassifications);
    }

    /** The client's own block: no trustworthy answer, for this failure. Its reason is the failure kind's. */
    public static AiDecision failed(UUID requestId, GovernanceFailure failure) {
        return failed(requestId, failure, null, null);
    }

    /**
     * The client's own block. Keeps the server's ids, if an untrusted answer had them, so the event
     * can still be found in the audit trail.
     */
    static AiDecision failed(UUID requestId, GovernanceFailure failure, String decisionId, String auditEventId) {
        return failed(requestId, failure, decisionId, auditEventId, null);
    }

    /** The client's own block, keeping the receipt of the untrusted answer (to show what was refused). */
    static AiDecision failed(UUID requestId, GovernanceFailure failure, String decisionId, String auditEventId,
            Receipt receipt) {
        Objects.requireNonNull(failure, "failure");
        String message = switch (failure.kind()) {
            case UNAVAILABLE -> "No trustworthy answer from aigov (" + failure + "); treated as a block.";
            case REJECTED_CALLER -> "aigov refused this service's token (" + failure + "); treated as a block.";
            case REJECTED_REQUEST -> "aigov refused the request as sent (" + failure + "); treated as a block.";
            case CLIENT_OUTDATED -> "This aigov-client cannot check aigov's answer (" + failure + "); treated as a block.";
        };
        return new AiDecision(false, List.of(failure.kind().blockReason()), List.of(), requestId,
                decisionId, auditEventId, message, null, failure, List.of(), List.of(), receipt, null);
    }

    /**
     * This decision with the receipt the server sent for it. For test doubles that make receipts
     * ({@code InMemoryAiGovernance}); the client maps the server's. A receipt proves nothing until
     * it is verified: {@link AiGovernanceClient} verifies it ({@link ReceiptPolicy#STRICT}), and so
     * does a model gateway with {@link ReceiptVerifier}.
     */
    public AiDecision withReceipt(Receipt receipt) {
        Objects.requireNonNull(receipt, "receipt");
        return new AiDecision(allowed, reasons, rejectedClassifications, requestId, decisionId, auditEventId, message, basis,
                failure, permittedProviderClasses(), permittedDataClassifications(), receipt, null);
    }

    /** This ALLOW, its receipt verified by the client. */
    AiDecision withVerifiedReceipt(ReceiptVerifier.Verified verified) {
        return new AiDecision(allowed, reasons, rejectedClassifications, requestId, decisionId, auditEventId, message, basis,
                failure, permittedProviderClasses(), permittedDataClassifications(), receipt, verified);
    }

    /** For tests: an ALLOW with fresh ids, decided under {@code private_only} and {@code enabled}. */
    public static AiDecision testAllow() {
        return allow(UUID.randomUUID(), UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                "Allowed (built by a test).",
                new DecisionBasis(PolicyMode.PRIVATE_ONLY, 1, ControlState.ENABLED, 0, Instant.now()));
    }

    /** For tests: a server BLOCK with these reasons, primary first, and fresh ids. */
    public static AiDecision testBlock(BlockReason primary, BlockReason... others) {
        List<BlockReason> reasons = new java.util.ArrayList<>();
        reasons.add(primary);
        reasons.addAll(List.of(others));
        return block(UUID.randomUUID(), reasons, List.of(), UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                "Blocked: " + reasons + " (built by a test).", null);
    }

    /** For tests: the client's own block for a failure of this kind, with a typical code for it. */
    public static AiDecision testFailure(FailureKind kind) {
        GovernanceFailure failure = switch (kind) {
            case UNAVAILABLE -> GovernanceFailure.of(StatusCode.UNAVAILABLE, "ERROR_REASON_STORAGE_UNAVAILABLE",
                    java.util.Map.of(), "injected by a test");
            case REJECTED_CALLER -> GovernanceFailure.of(StatusCode.PERMISSION_DENIED, "ERROR_REASON_MISSING_CAPABILITY",
                    java.util.Map.of("capability", "ai.decisions.evaluate"), "injected by a test");
            case REJECTED_REQUEST -> GovernanceFailure.of(StatusCode.INVALID_ARGUMENT, "ERROR_REASON_INVALID_FIELD",
                    java.util.Map.of("field", "workspace_id"), "injected by a test");
            case CLIENT_OUTDATED -> GovernanceFailure.clientOutdated("injected by a test");
        };
        return failed(UUID.randomUUID(), failure);
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
     * What would pass, on a block only by the provider class and the data classifications: the
     * provider classes this use case permits under the policy it was decided on, so that the caller
     * can fall back (to a local provider, say) with a request of its own. Empty on an allow, on any
     * other block, and when no class is permitted.
     */
    public List<ProviderClass> permittedProviderClasses() {
        return permittedProviderClasses == null ? List.of() : permittedProviderClasses;
    }

    /**
     * What would pass, on the same blocks: the data classifications this use case permits, so that
     * the caller can leave the others out of a request of its own. Empty otherwise.
     */
    public List<DataClassification> permittedDataClassifications() {
        return permittedDataClassifications == null ? List.of() : permittedDataClassifications;
    }

    /**
     * Why the client blocked on its own: the failure's kind, status code and error details. Empty
     * for the server's own decisions.
     */
    public Optional<GovernanceFailure> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * The decision's receipt (docs/evidence.md), as the server sent it: present on every decision
     * of a server with evidence on, ALLOW and BLOCK alike. Hand it to a model gateway, which checks
     * it with {@link ReceiptVerifier#requireAllowed} before it calls a model. Also kept on the
     * client's own block of an ALLOW whose receipt did not verify.
     */
    public Optional<Receipt> receipt() {
        return Optional.ofNullable(receipt);
    }

    /**
     * What {@link AiGovernanceClient} verified of this ALLOW's receipt under
     * {@link ReceiptPolicy#STRICT}: the decision id, workspace, provider class, classifications and
     * expiry the signed trail holds. Empty for a block, under {@link ReceiptPolicy#OFF}, for a
     * decision built by hand or by a test double, and for a deserialized copy (verify it again).
     */
    public Optional<ReceiptVerifier.Verified> verifiedReceipt() {
        return Optional.ofNullable(verifiedReceipt);
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
        if (!permittedProviderClasses().isEmpty() || !permittedDataClassifications().isEmpty()) {
            text.append(" permitted=").append(permittedProviderClasses()).append(permittedDataClassifications());
        }
        if (failure != null) {
            text.append(" failure=").append(failure);
        }
        if (verifiedReceipt != null) {
            text.append(" receipt=verified until ").append(verifiedReceipt.expiresAt());
        } else if (receipt != null) {
            text.append(" receipt=unverified");
        }
        return text.toString();
    }
}
