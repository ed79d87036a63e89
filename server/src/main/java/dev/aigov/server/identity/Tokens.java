package dev.aigov.server.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Bearer tokens: {@code aigov_} and 43 URL-safe characters (256 random bits). Only their SHA-256
 * is stored: with that much entropy a fast hash is as safe as a slow one, and it can be looked up.
 */
public final class Tokens {
    public static final String PREFIX = "aigov_";
    private static final Pattern SHAPE = Pattern.compile("aigov_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How much of a token a listing shows: the prefix and a few characters, never enough to use. */
    private static final int HINT_LENGTH = PREFIX.length() + 6;
    /**
     * One digest per thread: {@code MessageDigest.getInstance} costs about as much as hashing a token
     * and allocates twice as much, and every call hashes one.
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private Tokens() {
    }

    public static String newToken() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static boolean wellFormed(String token) {
        return SHAPE.matcher(token).matches();
    }

    /** The token's SHA-256, as stored. */
    public static byte[] hash(String token) {
        // digest() resets the digest: the thread's next call starts afresh.
        return SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8));
    }

    public static String hint(String token) {
        return token.substring(0, HINT_LENGTH) + "…";
    }
}
