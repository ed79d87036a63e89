package dev.aigov.client;

/**
 * ReceiptPolicy says whether {@link AiGovernanceClient} believes an ALLOW only with a valid receipt
 * (docs/evidence.md): a signed proof that aigov recorded this very decision in its audit trail.
 */
public enum ReceiptPolicy {
    /**
     * The default: an ALLOW counts only when its receipt verifies against aigov's signing keys, is
     * an unexpired ALLOW, and is for the request as asked (workspace, tenant, use case, provider
     * class, every data classification, decision id). An ALLOW without one, or with one that does
     * not verify, is the client's own block, {@link BlockReason#GOVERNANCE_UNAVAILABLE} (an answer
     * this client cannot trust), whose failure's metadata {@code receipt} says why. Blocks need no
     * receipt.
     */
    STRICT,
    /** Receipts are not checked (for a server without evidence); {@link AiDecision#receipt()} still carries one. */
    OFF
}
