package dev.aigov.server.storage;

import dev.aigov.core.Vocabulary;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * What a request asks, as a digest: an idempotency record keeps it to tell a retry (the same
 * fingerprint) from another request under a reused request_id, and a page token keeps (part of)
 * it to stay bound to its listing's filters. The digest is SHA-256 over an explicit encoding of
 * the request's fields, so that it depends on their values only, never on the Java names or the
 * {@code toString()} of the types that carry them: a release that renames a record component
 * still recognises a retry a replica of the release before it recorded.
 *
 * <p><b>The encoding, version 1.</b> The version byte, the purpose (an operation's name, such as
 * {@code SetWorkspacePolicy}), then each field in the order its operation documents:
 * <pre>
 * fingerprint = SHA-256( 0x01, text(purpose), field... )
 * text        = uint32 byte length, big-endian; then the UTF-8 bytes
 * number      = int64, big-endian
 * uuid        = the 128 bits, most significant first (16 bytes)
 * word        = text of a vocabulary value's lower_snake word, as the database stores it
 *               ("private_only", "paused": {@link Vocabulary#word})
 * optional(x) = 0x00 when absent; 0x01, then x
 * list(x)     = uint32 count, big-endian; then each x, in the list's order
 * instant     = int64 epoch seconds, then uint32 nanoseconds of the second, big-endian
 * </pre>
 * Fields carry no name and no type tag: the purpose and the fixed order say what each is, and the
 * length prefixes keep one field from running into the next. The operations and their fields:
 * {@code EvaluateAiRequest} ({@code DecisionService.fingerprint}), {@code SetWorkspacePolicy}
 * ({@code WorkspacePolicyService.SetPolicy#fingerprint}), {@code SetExecutionControl}
 * ({@code ExecutionControlService.SetControl#fingerprint}); the page tokens' {@code audit} and
 * {@code control-history}. Changing an operation's fields, their order or this encoding changes its
 * fingerprints (a retry across that release is refused ALREADY_EXISTS once): bump the version byte
 * for a change of the encoding, and expect the pinned digests of {@code FingerprintTest} to fail.
 */
public final class Fingerprint {
    /** The first byte of every encoding: which version of the grammar above wrote it. */
    static final byte VERSION = 1;

    /** One digest per thread, reset for each use: the hot path takes one fingerprint per decision. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private byte[] bytes = new byte[128];
    private int length;

    private Fingerprint() {
    }

    /** Starts the fingerprint of a request made for {@code purpose} (an operation's name). */
    public static Fingerprint of(String purpose) {
        Fingerprint fingerprint = new Fingerprint();
        fingerprint.put(VERSION);
        return fingerprint.text(purpose);
    }

    public Fingerprint text(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        putInt(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, bytes, length, utf8.length);
        length += utf8.length;
        return this;
    }

    public Fingerprint number(long value) {
        putInt((int) (value >>> 32));
        putInt((int) value);
        return this;
    }

    public Fingerprint uuid(UUID value) {
        return number(value.getMostSignificantBits()).number(value.getLeastSignificantBits());
    }

    public Fingerprint word(Enum<?> value) {
        return text(Vocabulary.word(value));
    }

    public Fingerprint words(List<? extends Enum<?>> values) {
        putInt(values.size());
        values.forEach(this::word);
        return this;
    }

    public Fingerprint instant(Instant value) {
        number(value.getEpochSecond());
        putInt(value.getNano());
        return this;
    }

    public Fingerprint optionalText(Optional<String> value) {
        present(value.isPresent());
        value.ifPresent(this::text);
        return this;
    }

    public Fingerprint optionalNumber(OptionalLong value) {
        present(value.isPresent());
        value.ifPresent(this::number);
        return this;
    }

    public Fingerprint optionalWord(Optional<? extends Enum<?>> value) {
        present(value.isPresent());
        value.ifPresent(this::word);
        return this;
    }

    public Fingerprint optionalInstant(Optional<Instant> value) {
        present(value.isPresent());
        value.ifPresent(this::instant);
        return this;
    }

    /** The SHA-256 of the fields written so far (32 bytes). */
    public byte[] digest() {
        MessageDigest digest = SHA_256.get();
        digest.reset();
        digest.update(bytes, 0, length);
        return digest.digest();
    }

    /** The encoded bytes, for the test that holds them to the grammar above. */
    byte[] encoding() {
        return Arrays.copyOf(bytes, length);
    }

    private void present(boolean present) {
        put((byte) (present ? 1 : 0));
    }

    private void putInt(int value) {
        ensure(4);
        bytes[length++] = (byte) (value >>> 24);
        bytes[length++] = (byte) (value >>> 16);
        bytes[length++] = (byte) (value >>> 8);
        bytes[length++] = (byte) value;
    }

    private void put(byte value) {
        ensure(1);
        bytes[length++] = value;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
