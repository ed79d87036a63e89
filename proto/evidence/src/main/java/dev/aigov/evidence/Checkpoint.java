package dev.aigov.evidence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

/**
 * One checkpoint's body (docs/evidence.md): a chain's signed head after one committed batch.
 *
 * @param chain      the chain's id
 * @param seq        its place in the chain, from 0
 * @param size       the events it covers (at least 1)
 * @param root       the Merkle tree hash of their leaves
 * @param prev       the hash of the previous checkpoint's body; 32 zero bytes for seq 0
 * @param time       when it was signed (whole microseconds)
 * @param receiptTtl how long after its decision a receipt in this batch is valid (whole seconds)
 * @param keyId      the key that signs it
 */
public record Checkpoint(UUID chain, long seq, int size, byte[] root, byte[] prev, Instant time, Duration receiptTtl,
        String keyId) {
    /** The first line of every checkpoint body. */
    public static final String HEADER = "aigov-checkpoint/v1";
    /** The prev of a chain's first checkpoint. */
    public static final byte[] NO_PREVIOUS = new byte[Merkle.HASH_SIZE];

    public Checkpoint {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(receiptTtl, "receiptTtl");
        Objects.requireNonNull(keyId, "keyId");
        if (seq < 0 || size < 1) {
            throw new IllegalArgumentException("a checkpoint has seq >= 0 and size >= 1 (seq " + seq + ", size " + size + ")");
        }
        if (root.length != Merkle.HASH_SIZE || prev.length != Merkle.HASH_SIZE) {
            throw new IllegalArgumentException("root and prev are 32-byte hashes");
        }
        if (receiptTtl.isNegative() || receiptTtl.getNano() != 0) {
            throw new IllegalArgumentException("receipt-ttl is whole seconds, not negative: " + receiptTtl);
        }
        if (!SigningKeys.isKeyId(keyId)) {
            throw new IllegalArgumentException("not a key id: " + keyId);
        }
        root = Merkle.copy(root);
        prev = Merkle.copy(prev);
    }

    /** The body as signed, UTF-8. */
    public byte[] body() {
        Base64.Encoder base64 = Base64.getEncoder();
        String text = HEADER + "\n"
                + "chain " + chain + "\n"
                + "seq " + seq + "\n"
                + "size " + size + "\n"
                + "root " + base64.encodeToString(root) + "\n"
                + "prev " + base64.encodeToString(prev) + "\n"
                + "time " + EventEncoding.timestamp(time) + "\n"
                + "receipt-ttl " + receiptTtl.toSeconds() + "\n"
                + "key " + keyId + "\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The checkpoint's hash: SHA-256 of its body, what the next checkpoint's prev holds. */
    public byte[] hash() {
        return Merkle.sha256(body());
    }

    /** Whether this checkpoint comes right after {@code previous} in its chain. */
    public boolean follows(Checkpoint previous) {
        return chain.equals(previous.chain) && seq == previous.seq + 1 && Arrays.equals(prev, previous.hash());
    }

    /** Reads a body; refuses anything {@link #body()} would not have written. */
    public static Checkpoint parseBody(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        if (lines.length != 10 || !lines[9].isEmpty() || !lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("not an " + HEADER + " body");
        }
        try {
            Base64.Decoder base64 = Base64.getDecoder();
            Checkpoint checkpoint = new Checkpoint(UUID.fromString(value(lines[1], "chain")),
                    Long.parseLong(value(lines[2], "seq")), Integer.parseInt(value(lines[3], "size")),
                    base64.decode(value(lines[4], "root")), base64.decode(value(lines[5], "prev")),
                    EventEncoding.parseTimestamp(value(lines[6], "time")),
                    Duration.ofSeconds(Long.parseLong(value(lines[7], "receipt-ttl"))), value(lines[8], "key"));
            if (!Arrays.equals(checkpoint.body(), body)) {
                throw new IllegalArgumentException("not a canonical checkpoint body");
            }
            return checkpoint;
        } catch (IllegalArgumentException e) { // NumberFormatException too
            throw new IllegalArgumentException("not a valid " + HEADER + " body: " + e.getMessage(), e);
        }
    }

    private static String value(String line, String key) {
        if (!line.startsWith(key + " ")) {
            throw new IllegalArgumentException("expected the line '" + key + " ...', got '" + line + "'");
        }
        return line.substring(key.length() + 1);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Checkpoint that && Arrays.equals(body(), that.body());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash());
    }

    @Override
    public String toString() {
        return "Checkpoint[chain " + chain + ", seq " + seq + ", size " + size + ", key " + keyId + "]";
    }
}
