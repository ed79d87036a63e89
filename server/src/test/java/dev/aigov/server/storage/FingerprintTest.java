package dev.aigov.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.core.DataClassification;
import dev.aigov.core.PolicyMode;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The fingerprint encoding, held to the grammar in {@link Fingerprint}'s Javadoc. The expected bytes
 * and digests were worked out from that grammar (not from this code): a change of the encoding
 * makes a retry across the release fail ALREADY_EXISTS, so it must fail here first.
 */
class FingerprintTest {
    private static final UUID PRINCIPAL = UUID.fromString("3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44");

    private static Fingerprint everyKindOfField() {
        return Fingerprint.of("example")
                .text("ab")
                .text("")
                .text("é")
                .number(-2)
                .uuid(PRINCIPAL)
                .word(PolicyMode.PRIVATE_ONLY)
                .optionalText(Optional.empty())
                .optionalText(Optional.of("x"))
                .words(List.of(DataClassification.SECRET, DataClassification.PERSONAL_DATA))
                .instant(Instant.parse("2025-03-04T05:06:07.123456Z"));
    }

    @Test
    void encodingIsTheDocumentedGrammarByteForByte() {
        String expected = "01" + "00000007" + "6578616d706c65" // version 1, text("example")
                + "00000002" + "6162" // text("ab")
                + "00000000" // text("")
                + "00000002" + "c3a9" // text("é"): UTF-8 bytes counted
                + "fffffffffffffffe" // number(-2)
                + "3f2b8c1e6a4d4c1b9a570f6e2d8b7c44" // uuid
                + "0000000c" + "707269766174655f6f6e6c79" // word: "private_only"
                + "00" // optional, absent
                + "01" + "00000001" + "78" // optional, present: text("x")
                + "00000002" + "00000006" + "736563726574" // list of two words, in the list's order
                + "0000000d" + "706572736f6e616c5f64617461"
                + "0000000067c68a3f" + "075bca00"; // instant: epoch seconds, nanoseconds

        assertThat(HexFormat.of().formatHex(everyKindOfField().encoding())).isEqualTo(expected);
    }

    @Test
    void digestIsTheSha256OfTheEncodingPinned() throws Exception {
        Fingerprint fingerprint = everyKindOfField();

        assertThat(fingerprint.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(fingerprint.encoding()));
        assertThat(HexFormat.of().formatHex(fingerprint.digest()))
                .isEqualTo("bc8ab3c9cc8f7fab9492ddd26ebf5c9852ee64eeaa99360d049a39f26cfda6ce");
    }

    @Test
    void lengthPrefixesKeepFieldsFromRunningIntoEachOther() {
        assertThat(Fingerprint.of("p").text("ab").text("c").digest()).isNotEqualTo(Fingerprint.of("p").text("a").text("bc").digest());
        assertThat(Fingerprint.of("pa").text("b").digest()).isNotEqualTo(Fingerprint.of("p").text("ab").digest());
        assertThat(Fingerprint.of("p").optionalText(Optional.empty()).digest())
                .isNotEqualTo(Fingerprint.of("p").optionalText(Optional.of("")).digest());
        assertThat(Fingerprint.of("p").optionalNumber(OptionalLong.empty()).digest())
                .isNotEqualTo(Fingerprint.of("p").optionalNumber(OptionalLong.of(0)).digest());
    }

    @Test
    void aDigestTakenBetweenTwoOthersOnTheSameThreadLeavesThemIntact() {
        Fingerprint first = Fingerprint.of("p").text("a");
        byte[] before = first.digest();
        Fingerprint.of("other").text("b").digest();

        assertThat(first.digest()).isEqualTo(before);
    }
}
