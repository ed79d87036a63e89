package dev.aigov.client.example;

import dev.aigov.evidence.InvalidReceipt;
import dev.aigov.evidence.Receipt;
import dev.aigov.evidence.ReceiptVerifier;
import dev.aigov.evidence.SigningKeys;
import java.io.IOException;
import java.util.Set;

/**
 * The AI runtime's side: calls the model only for a caller that holds a valid, unexpired ALLOW for
 * this very call. No gRPC, no network: aigov's public keys and the receipt are all it needs.
 */
public final class ModelGateway {

    /** Any client of a local model. */
    public interface LocalModel {
        String complete(String prompt) throws IOException;
    }

    private final ReceiptVerifier receipts;
    private final LocalModel model;

    /** {@code aigovKeys}: pinned, from outside aigov's database (keys.json, configuration). */
    public ModelGateway(SigningKeys.KeySet aigovKeys, LocalModel model) {
        this.receipts = new ReceiptVerifier(aigovKeys);
        this.model = model;
    }

    /**
     * Completes {@code prompt}, which holds data of {@code classifications} (in the trail's words,
     * {@code "product_knowledge"}), with the local model, and throws {@link InvalidReceipt} without
     * calling it unless {@code receipt} proves aigov allowed exactly this.
     */
    public String complete(Receipt receipt, String workspaceId, Set<String> classifications, String prompt)
            throws InvalidReceipt, IOException {
        receipts.requireAllowed(receipt, workspaceId, "local_private", classifications);
        return model.complete(prompt);
    }
}
