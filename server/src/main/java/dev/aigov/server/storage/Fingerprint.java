package dev.aigov.server.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A request's fingerprint for idempotency: SHA-256 over its parts, each length-prefixed. */
public final class Fingerprint {
    /** One digest per thread: looking the algorithm up per call showed in the hot path's profile. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private Fingerprint() {
    }

    public static byte[] of(Object... parts) {
        MessageDigest digest = SHA_256.get();
        digest.reset();
        for (Object part : parts) {
            byte[] bytes = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
            digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) ':');
            digest.update(bytes);
        }
        return digest.digest();
    }
}
