package dev.aigov.client;

import dev.aigov.evidence.InvalidReceipt;
import dev.aigov.evidence.Receipt;
import dev.aigov.evidence.ReceiptVerifier;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The client's receipt policy applied to each answer: under {@link ReceiptPolicy#STRICT} an ALLOW
 * stands only if its receipt proves an unexpired ALLOW of this very request; anything else turns it
 * into the client's own block ({@link FailureKind#UNAVAILABLE}: an answer this client cannot trust).
 */
final class ReceiptCheck {

    private final ReceiptPolicy policy;
    private final ReceiptVerifier verifier;

    ReceiptCheck(ReceiptPolicy policy, ReceiptVerifier verifier) {
        this.policy = policy;
        this.verifier = verifier;
    }

    AiDecision check(AiDecision decision, AiRequest request) {
        if (policy == ReceiptPolicy.OFF || !decision.allowed()) {
            return decision;
        }
        Optional<Receipt> receipt = decision.receipt();
        if (receipt.isEmpty()) {
            return refused(decision, "missing", "aigov answered ALLOW without a receipt, and this client requires one "
                    + "(ReceiptPolicy.STRICT; a server without evidence needs ReceiptPolicy.OFF)");
        }
        try {
            ReceiptVerifier.Verified verified = verifier.requireAllowed(receipt.get(), request.workspaceId(),
                    request.providerClass().word(), request.dataClassifications().stream().map(DataClassification::word).toList());
            String mismatch = mismatch(verified, decision, request);
            if (mismatch != null) {
                return refused(decision, "mismatch", "the ALLOW's receipt is for another decision: " + mismatch);
            }
            return decision.withVerifiedReceipt(verified);
        } catch (InvalidReceipt e) {
            return refused(decision, e.reason().name().toLowerCase(Locale.ROOT), "the ALLOW's receipt does not prove it: "
                    + e.getMessage());
        } catch (PublishedKeys.Unavailable e) {
            return AiDecision.failed(decision.requestId(), e.failure(), decision.decisionId().orElse(null),
                    decision.auditEventId().orElse(null), receipt.get());
        }
    }

    /** What the signed decision says otherwise than the answer and the request; null when nothing. */
    private static String mismatch(ReceiptVerifier.Verified verified, AiDecision decision, AiRequest request) {
        if (!decision.decisionId().map(ReceiptCheck::uuid).equals(Optional.of(verified.decisionId()))) {
            return "it records decision " + verified.decisionId() + ", the answer is decision "
                    + decision.decisionId().orElse("(none)");
        }
        if (!verified.useCase().equals(request.useCase().key())) {
            return "it records use case " + verified.useCase() + ", not " + request.useCase().key();
        }
        if (!verified.tenantId().equals(request.tenantId().orElse(""))) {
            return "it records tenant '" + verified.tenantId() + "', not '" + request.tenantId().orElse("") + "'";
        }
        return null;
    }

    private static UUID uuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return new UUID(0, 0);
        }
    }

    private static AiDecision refused(AiDecision decision, String why, String description) {
        return AiDecision.failed(decision.requestId(), GovernanceFailure.receiptRefused(why, description),
                decision.decisionId().orElse(null), decision.auditEventId().orElse(null), decision.receipt().orElse(null));
    }
}
