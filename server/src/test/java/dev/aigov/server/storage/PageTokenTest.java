package dev.aigov.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.core.InvalidRequest;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Page tokens: opaque, round-tripping exactly, and bound to the filters of the listing that issued them. */
class PageTokenTest {
    private static final byte[] FILTER = Fingerprint.of("audit").text("reader").text("ws-1").digest();
    private static final byte[] OTHER_FILTER = Fingerprint.of("audit").text("reader").text("ws-2").digest();
    private static final PageToken.Cursor CURSOR =
            new PageToken.Cursor(Instant.parse("2025-03-04T05:06:07.123456Z"), UUID.fromString("3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44"));

    @Test
    void tokenRoundTripsItsCursorExactly() {
        String token = PageToken.encode(CURSOR, FILTER);

        assertThat(token).matches("[A-Za-z0-9_-]+");
        assertThat(PageToken.decode(token, FILTER)).contains(CURSOR);
    }

    @Test
    void cursorWithNanosecondsAndNegativeIdBitsRoundTrips() {
        PageToken.Cursor cursor = new PageToken.Cursor(Instant.ofEpochSecond(1_700_000_000L, 999_999_999), new UUID(-1L, Long.MIN_VALUE));

        assertThat(PageToken.decode(PageToken.encode(cursor, FILTER), FILTER)).contains(cursor);
    }

    @Test
    void emptyOrAbsentTokenStartsFromTheFirstPage() {
        assertThat(PageToken.decode("", FILTER)).isEqualTo(Optional.empty());
        assertThat(PageToken.decode(null, FILTER)).isEqualTo(Optional.empty());
    }

    @Test
    void tokenOfAnotherListingIsRejected() {
        String token = PageToken.encode(CURSOR, FILTER);

        assertRejected(() -> PageToken.decode(token, OTHER_FILTER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a token", "%%%", "AAAA", "A"})
    void malformedTokenIsRejected(String token) {
        assertRejected(() -> PageToken.decode(token, FILTER));
    }

    @Test
    void truncatedOrExtendedTokenIsRejected() {
        byte[] bytes = bytesOf(PageToken.encode(CURSOR, FILTER));

        assertRejected(() -> PageToken.decode(tokenOf(java.util.Arrays.copyOf(bytes, bytes.length - 1)), FILTER));
        assertRejected(() -> PageToken.decode(tokenOf(java.util.Arrays.copyOf(bytes, bytes.length + 1)), FILTER));
    }

    @Test
    void tokenWhoseFilterBindingWasAlteredIsRejected() {
        byte[] bytes = bytesOf(PageToken.encode(CURSOR, FILTER));
        bytes[bytes.length - 1] ^= 0x01;

        assertRejected(() -> PageToken.decode(tokenOf(bytes), FILTER));
    }

    @Test
    void tokenWithImpossibleNanosecondsIsRejected() {
        byte[] bytes = bytesOf(PageToken.encode(CURSOR, FILTER));
        ByteBuffer.wrap(bytes).putInt(8, 1_000_000_000);

        assertRejected(() -> PageToken.decode(tokenOf(bytes), FILTER));
        ByteBuffer.wrap(bytes).putInt(8, -1);
        assertRejected(() -> PageToken.decode(tokenOf(bytes), FILTER));
    }

    @Test
    void tokenWithSecondsOutsideTheTimestampRangeIsRejected() {
        byte[] bytes = bytesOf(PageToken.encode(CURSOR, FILTER));
        ByteBuffer.wrap(bytes).putLong(0, Long.MAX_VALUE);

        assertRejected(() -> PageToken.decode(tokenOf(bytes), FILTER));
        ByteBuffer.wrap(bytes).putLong(0, Long.MIN_VALUE);
        assertRejected(() -> PageToken.decode(tokenOf(bytes), FILTER));
    }

    @Test
    void pageSizeZeroMeansTheDefaultAndTheBoundsAreInclusive() {
        assertThat(PageToken.pageSize(0, 50, 500)).isEqualTo(50);
        assertThat(PageToken.pageSize(1, 50, 500)).isEqualTo(1);
        assertThat(PageToken.pageSize(500, 50, 500)).isEqualTo(500);
        assertThatThrownBy(() -> PageToken.pageSize(501, 50, 500))
                .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.field()).isEqualTo("page_size"));
        assertThatThrownBy(() -> PageToken.pageSize(-1, 50, 500))
                .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.field()).isEqualTo("page_size"));
    }

    private static void assertRejected(ThrowingCallable decode) {
        assertThatThrownBy(decode).isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.field()).isEqualTo("page_token"));
    }

    private static byte[] bytesOf(String token) {
        return Base64.getUrlDecoder().decode(token);
    }

    private static String tokenOf(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
