package dev.aigov.server.storage;

import dev.aigov.core.InvalidRequest;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Opaque page tokens for newest-first listings (AIP-158): where the last page ended, bound to the
 * filters that produced it so that a token cannot be replayed with other filters.
 */
public final class PageToken {
    private static final int FILTER_HASH_BYTES = 8;

    /** Where a page ended: a time and the id that breaks ties at that time. */
    public record Cursor(Instant at, UUID id) {
    }

    private PageToken() {
    }

    public static int pageSize(int requested, int defaultSize, int maxSize) {
        if (requested < 0 || requested > maxSize) {
            throw new InvalidRequest("page_size", "must be 0 (default " + defaultSize + ") to " + maxSize + " (got " + requested + ")");
        }
        return requested == 0 ? defaultSize : requested;
    }

    public static String encode(Cursor cursor, byte[] filterHash) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + 4 + 16 + FILTER_HASH_BYTES);
        buffer.putLong(cursor.at().getEpochSecond()).putInt(cursor.at().getNano())
                .putLong(cursor.id().getMostSignificantBits()).putLong(cursor.id().getLeastSignificantBits())
                .put(filterHash, 0, FILTER_HASH_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    public static Optional<Cursor> decode(String token, byte[] filterHash) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("page_token", "is not a token this service issued");
        }
        if (bytes.length != 8 + 4 + 16 + FILTER_HASH_BYTES) {
            throw new InvalidRequest("page_token", "is not a token this service issued");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long seconds = buffer.getLong();
        int nanos = buffer.getInt();
        UUID id = new UUID(buffer.getLong(), buffer.getLong());
        byte[] hash = new byte[FILTER_HASH_BYTES];
        buffer.get(hash);
        if (!Arrays.equals(hash, Arrays.copyOf(filterHash, FILTER_HASH_BYTES))) {
            throw new InvalidRequest("page_token", "belongs to a listing with other filters; start again without it");
        }
        // Within the timestamps the API accepts (years 1 to 9999), so that no tampered token fails later.
        if (nanos < 0 || nanos > 999_999_999 || seconds < -62_135_596_800L || seconds > 253_402_300_799L) {
            throw new InvalidRequest("page_token", "is not a token this service issued");
        }
        return Optional.of(new Cursor(Instant.ofEpochSecond(seconds, nanos), id));
    }
}
