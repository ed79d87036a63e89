package dev.aigov.server.evidence;

import dev.aigov.evidence.Checkpoint;
import dev.aigov.evidence.Merkle;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.evidence.SigningKeys;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One chain, checked checkpoint by checkpoint in seq order: form, signature, link to the previous
 * one, the trusted head, and the root against its leaves. Stops at the first break.
 */
final class ChainCheck {
    /** Up to this size, a root mismatch is tried against every swap of two leaves (n² roots); above it, adjacent swaps only. */
    private static final int ALL_PAIRS_UP_TO = 128;
    /** A report lists the events of a mismatching checkpoint up to this many. */
    private static final int LISTED_EVENTS = 8;

    private final UUID chain;
    private final VerifyOptions options;
    private final Optional<TrustedHeads.Head> trusted;
    private Checkpoint previous;
    private Break found;
    private long checkpoints;
    private long events;

    ChainCheck(UUID chain, VerifyOptions options) {
        this.chain = chain;
        this.options = options;
        this.trusted = Optional.ofNullable(options.trustedHeads().get(chain));
    }

    boolean broken() {
        return found != null;
    }

    Optional<Break> found() {
        return Optional.ofNullable(found);
    }

    long checkpoints() {
        return checkpoints;
    }

    long events() {
        return events;
    }

    /** The last checkpoint that verified. */
    OptionalLong lastSeq() {
        return previous == null ? OptionalLong.empty() : OptionalLong.of(previous.seq());
    }

    /** Records a break found outside a checkpoint's own check (an uncovered event, an unreadable row). */
    void fail(long seq, String message) {
        if (found == null) {
            found = new Break(chain, seq, message);
        }
    }

    /** Checks the next checkpoint of the chain and its leaves (sorted by leaf_index); false once the chain is broken. */
    boolean check(StoredCheckpoint stored, List<Leaf> leaves) {
        if (found != null) {
            return false;
        }
        long seq = stored.seq();
        String at = "checkpoint " + seq;
        SignedCheckpoint signed;
        try {
            signed = SignedCheckpoint.parse(stored.note());
        } catch (IllegalArgumentException e) {
            String why = e.getMessage();
            fail(seq,
                    why.contains("unsigned") ? at + " is not signed (" + why + ")" : at + ": its note is not a signed checkpoint: " + why);
            return false;
        }
        Checkpoint body = signed.checkpoint();
        if (!body.chain().equals(chain) || body.seq() != seq) {
            fail(seq, at + ": its note is checkpoint " + body.seq() + " of chain " + body.chain() + ", not the one stored here");
            return false;
        }
        if (stored.size().isPresent() && stored.size().getAsInt() != body.size()) {
            fail(seq, at + ": its row says size " + stored.size().getAsInt() + ", its note size " + body.size());
            return false;
        }
        Optional<SigningKeys.PublicKey> key = options.keys().find(body.keyId());
        if (key.isEmpty()) {
            fail(seq, at + " is not signed by a trusted key (" + body.keyId() + " is not among the " + options.keys().size()
                    + " trusted keys): forged");
            return false;
        }
        if (!signed.verify(key.get())) {
            fail(seq, at + ": its signature does not verify with " + body.keyId() + ": forged or altered");
            return false;
        }
        if (!linked(body, at)) {
            return false;
        }
        if (trusted.isPresent() && trusted.get().checkpoint().checkpoint().seq() == seq
                && !trusted.get().checkpoint().note().equals(stored.note())) {
            fail(seq, at + " differs from the trusted one (" + trusted.get().source() + ")");
            return false;
        }
        if (!leavesMatch(body, leaves, at)) {
            return false;
        }
        previous = body;
        checkpoints++;
        events += leaves.size();
        return true;
    }

    private boolean linked(Checkpoint body, String at) {
        long seq = body.seq();
        if (previous == null) {
            if (seq == 0 || options.start().isPresent()) {
                if (seq == 0 && !MessageDigest.isEqual(body.prev(), Checkpoint.NO_PREVIOUS)) {
                    fail(seq, at + ": the first checkpoint's prev is not 32 zero bytes");
                    return false;
                }
                return true;
            }
            fail(seq, (seq == 1 ? "checkpoint 0 missing" : "checkpoints 0.." + (seq - 1) + " missing") + " (the chain starts at seq "
                    + seq + "; nothing says retention dropped them)");
            return false;
        }
        long last = previous.seq();
        if (seq == last) {
            fail(seq, at + " is stored twice");
            return false;
        }
        if (seq > last + 1) {
            fail(seq, (seq == last + 2 ? "checkpoint " + (last + 1) + " missing" : "checkpoints " + (last + 1) + ".." + (seq - 1)
                    + " missing") + " (seq " + last + " then " + seq + ")");
            return false;
        }
        if (!body.follows(previous)) {
            fail(seq, at + ": its prev is not the hash of checkpoint " + last + ": one of the two was altered or replaced");
            return false;
        }
        return true;
    }

    private boolean leavesMatch(Checkpoint body, List<Leaf> leaves, String at) {
        int size = body.size();
        if (leaves.isEmpty()) {
            fail(body.seq(), at + ": all " + size + " of its events are missing");
            return false;
        }
        for (int i = 0; i < leaves.size(); i++) {
            Leaf leaf = leaves.get(i);
            if (leaf.leafIndex() >= size) {
                fail(body.seq(), at + ": " + leaf.describe() + " is beyond its signed size " + size
                        + ": no checkpoint covers it (inserted with a forged place?)");
                return false;
            }
            if (leaf.leafIndex() < i) {
                fail(body.seq(), "leaf " + leaf.leafIndex() + " of " + at + " is stored twice: " + leaves.get(i - 1).describe()
                        + " and " + leaf.describe());
                return false;
            }
            if (leaf.leafIndex() > i) {
                fail(body.seq(), "leaf " + i + " of " + at + " missing (" + (i == 0 ? "before " + leaf.describe()
                        : "between " + leaves.get(i - 1).describe() + " and " + leaf.describe()) + "; size " + size + ", "
                        + leaves.size() + " of its events found)");
                return false;
            }
        }
        if (leaves.size() < size) {
            fail(body.seq(), (leaves.size() + 1 == size ? "leaf " + leaves.size() : "leaves " + leaves.size() + ".." + (size - 1))
                    + " of " + at + " missing (after " + leaves.getLast().describe() + "; size " + size + ")");
            return false;
        }
        List<byte[]> hashes = new ArrayList<>(leaves.size());
        leaves.forEach(leaf -> hashes.add(leaf.hash()));
        if (MessageDigest.isEqual(Merkle.root(hashes), body.root())) {
            return true;
        }
        fail(body.seq(), at + ": root mismatch: " + mismatch(body.root(), leaves, hashes));
        return false;
    }

    /** Says what differs: a swap of two leaves when one restores the root; else which events may differ. */
    private static String mismatch(byte[] root, List<Leaf> leaves, List<byte[]> hashes) {
        int n = leaves.size();
        if (n == 1) {
            return leaves.getFirst().describe() + " differs from what was signed";
        }
        for (int i = 0; i < n - 1; i++) {
            int to = n <= ALL_PAIRS_UP_TO ? n : i + 2;
            for (int j = i + 1; j < to; j++) {
                List<byte[]> swapped = new ArrayList<>(hashes);
                swapped.set(i, hashes.get(j));
                swapped.set(j, hashes.get(i));
                if (MessageDigest.isEqual(Merkle.root(swapped), root)) {
                    return "events " + i + " and " + j + " are out of order: " + leaves.get(i).describe() + " and "
                            + leaves.get(j).describe() + " were swapped (their contents match what was signed)";
                }
            }
        }
        StringBuilder which = new StringBuilder();
        for (int i = 0; i < Math.min(n, LISTED_EVENTS); i++) {
            which.append(i == 0 ? "" : ", ").append(leaves.get(i).describe());
        }
        if (n > LISTED_EVENTS) {
            which.append(", ... ").append(leaves.getLast().describe());
        }
        return "the content of at least one of its " + n + " events differs from what was signed (no swap of two explains it; "
                + "the root alone cannot say which): " + which;
    }

    /** After the last checkpoint: the trusted head must have been reached. */
    void finish() {
        if (found != null || trusted.isEmpty()) {
            return;
        }
        Checkpoint head = trusted.get().checkpoint().checkpoint();
        if (options.until().isPresent() && !head.time().isBefore(options.until().get())) {
            return;
        }
        if (previous == null || previous.seq() < head.seq()) {
            fail(head.seq(), "head behind the trusted one: " + trusted.get().source() + " holds checkpoint " + head.seq()
                    + ", but the trail " + (previous == null ? "holds no checkpoint of this chain"
                            : "ends at checkpoint " + previous.seq())
                    + " (checkpoints and events removed from its end)");
        }
    }
}
