package dev.aigov.evidence;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One committed batch of events as a signer issues it (docs/evidence.md): the events' leaf
 * encodings, the signed checkpoint over them, and a receipt for each. For test doubles and tools
 * that make receipts, and the server's writer; a verifier needs only {@link ReceiptVerifier}.
 *
 * @param checkpoint the batch's signed checkpoint
 * @param receipts   one receipt per event, in leaf order
 */
public record ReceiptBatch(SignedCheckpoint checkpoint, List<Receipt> receipts) {
    public ReceiptBatch {
        Objects.requireNonNull(checkpoint, "checkpoint");
        receipts = List.copyOf(receipts);
    }

    /**
     * Signs a batch of events (each a leaf encoding, {@link EventEncoding#encode}) as checkpoint
     * {@code seq} of {@code chain}, after the checkpoint whose hash is {@code prev}.
     */
    public static ReceiptBatch sign(SigningKeys.PrivateKey key, UUID chain, long seq, byte[] prev, Instant time,
            Duration receiptTtl, List<byte[]> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one event");
        }
        List<byte[]> leaves = events.stream().map(Merkle::leafHash).toList();
        Merkle.Tree tree = Merkle.tree(leaves); // every path at once: O(n log n), not a tree per leaf
        Checkpoint checkpoint = new Checkpoint(chain, seq, events.size(), tree.root(), prev, time, receiptTtl,
                key.publicKey().keyId());
        SignedCheckpoint signed = SignedCheckpoint.sign(checkpoint, key);
        List<Receipt> receipts = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            receipts.add(new Receipt(events.get(i), i, tree.paths().get(i), signed.note()));
        }
        return new ReceiptBatch(signed, receipts);
    }
}
