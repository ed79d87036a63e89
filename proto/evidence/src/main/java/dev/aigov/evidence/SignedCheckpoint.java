package dev.aigov.evidence;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A checkpoint as a signed note: its body, a blank line, and the signature line
 * {@code — <key id> base64(key hash ‖ signature)}. Parsing checks the form only;
 * {@link #verify(SigningKeys.PublicKey)} checks the signature.
 */
public final class SignedCheckpoint {
    private static final String DASH = "\u2014 ";

    private final Checkpoint checkpoint;
    private final byte[] body;
    private final byte[] keyHash;
    private final byte[] signature;
    private final String note;

    private SignedCheckpoint(Checkpoint checkpoint, byte[] body, byte[] keyHash, byte[] signature, String note) {
        this.checkpoint = checkpoint;
        this.body = body;
        this.keyHash = keyHash;
        this.signature = signature;
        this.note = note;
    }

    /** Signs {@code checkpoint} with {@code key}, which must be the key it names. */
    public static SignedCheckpoint sign(Checkpoint checkpoint, SigningKeys.PrivateKey key) {
        if (!checkpoint.keyId().equals(key.publicKey().keyId())) {
            throw new IllegalArgumentException("checkpoint names key " + checkpoint.keyId() + ", not " + key.publicKey().keyId());
        }
        byte[] body = checkpoint.body();
        byte[] signature = key.sign(body);
        byte[] keyHash = key.publicKey().keyHash();
        byte[] line = new byte[keyHash.length + signature.length];
        System.arraycopy(keyHash, 0, line, 0, keyHash.length);
        System.arraycopy(signature, 0, line, keyHash.length, signature.length);
        String note = new String(body, StandardCharsets.UTF_8) + "\n" + DASH + checkpoint.keyId() + " "
                + Base64.getEncoder().encodeToString(line) + "\n";
        return new SignedCheckpoint(checkpoint, body, keyHash, signature, note);
    }

    /** Reads a signed note; an {@link IllegalArgumentException} says what is wrong with its form. */
    public static SignedCheckpoint parse(String note) {
        Objects.requireNonNull(note, "note");
        int blank = note.indexOf("\n\n");
        if (blank < 0) {
            throw new IllegalArgumentException("a signed checkpoint has a body, a blank line and a signature line");
        }
        byte[] body = note.substring(0, blank + 1).getBytes(StandardCharsets.UTF_8);
        Checkpoint checkpoint = Checkpoint.parseBody(body);
        String signatureLine = note.substring(blank + 2);
        String expectedStart = DASH + checkpoint.keyId() + " ";
        if (!signatureLine.startsWith(expectedStart) || !signatureLine.endsWith("\n")
                || signatureLine.indexOf('\n') != signatureLine.length() - 1) {
            throw new IllegalArgumentException("the checkpoint is unsigned: it has no signature line by its key "
                    + checkpoint.keyId());
        }
        byte[] line;
        try {
            line = Base64.getDecoder().decode(signatureLine.substring(expectedStart.length(), signatureLine.length() - 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the checkpoint's signature is not base64", e);
        }
        if (line.length != 4 + SigningKeys.SIGNATURE_SIZE) {
            throw new IllegalArgumentException("the checkpoint's signature has " + line.length + " bytes, not 68");
        }
        return new SignedCheckpoint(checkpoint, body, Arrays.copyOf(line, 4), Arrays.copyOfRange(line, 4, line.length), note);
    }

    /** Whether the signature is {@code key}'s over the body (and the note names that key). */
    public boolean verify(SigningKeys.PublicKey key) {
        return key.keyId().equals(checkpoint.keyId()) && Arrays.equals(keyHash, key.keyHash()) && key.verify(body, signature);
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** The note as signed. */
    public String note() {
        return note;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SignedCheckpoint that && note.equals(that.note);
    }

    @Override
    public int hashCode() {
        return note.hashCode();
    }

    @Override
    public String toString() {
        return checkpoint.toString();
    }
}
