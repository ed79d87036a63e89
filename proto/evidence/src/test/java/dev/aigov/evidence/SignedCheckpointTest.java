package dev.aigov.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints as signed notes: signed, read back, verified; altered or unsigned ones are not. */
class SignedCheckpointTest {
    private final SigningKeys.PrivateKey key = SigningKeys.generate();
    private final Checkpoint checkpoint = new Checkpoint(UUID.randomUUID(), 41, 17, Merkle.sha256(new byte[]{1}),
            Merkle.sha256(new byte[]{2}), Instant.parse("2026-12-04T20:50:51.123456Z"), Duration.ofSeconds(60),
            key.publicKey().keyId());

    @Test
    void aSignedNoteReadsBackAndVerifiesWithItsKeyOnly() {
        SignedCheckpoint signed = SignedCheckpoint.sign(checkpoint, key);

        SignedCheckpoint read = SignedCheckpoint.parse(signed.note());

        assertThat(read.checkpoint()).isEqualTo(checkpoint);
        assertThat(read.verify(key.publicKey())).isTrue();
        assertThat(read.verify(SigningKeys.generate().publicKey())).isFalse();
        assertThat(signed.note()).startsWith("aigov-checkpoint/v1\nchain " + checkpoint.chain() + "\nseq 41\nsize 17\n")
                .contains("\nreceipt-ttl 60\nkey " + key.publicKey().keyId() + "\n\n\u2014 " + key.publicKey().keyId() + " ");
    }

    @Test
    void anAlteredBodyNoLongerVerifies() {
        String note = SignedCheckpoint.sign(checkpoint, key).note();

        SignedCheckpoint altered = SignedCheckpoint.parse(note.replace("size 17", "size 16"));

        assertThat(altered.verify(key.publicKey())).isFalse();
    }

    @Test
    void anUnsignedOrForeignSignedNoteIsRefusedOrFails() {
        String note = SignedCheckpoint.sign(checkpoint, key).note();
        String body = note.substring(0, note.indexOf("\n\n") + 1);

        assertThatThrownBy(() -> SignedCheckpoint.parse(body)).hasMessageContaining("signature line");
        assertThatThrownBy(() -> SignedCheckpoint.parse(body + "\n")).hasMessageContaining("unsigned");
        SigningKeys.PrivateKey other = SigningKeys.generate();
        String resigned = body + "\n" + SignedCheckpoint.sign(new Checkpoint(checkpoint.chain(), 41, 17, checkpoint.root(),
                checkpoint.prev(), checkpoint.time(), checkpoint.receiptTtl(), other.publicKey().keyId()), other).note()
                .substring(note.indexOf("\n\n") + 2);
        assertThatThrownBy(() -> SignedCheckpoint.parse(resigned)).hasMessageContaining("unsigned");
    }

    @Test
    void theChainLinksEachCheckpointToTheOneBefore() {
        Checkpoint next = new Checkpoint(checkpoint.chain(), 42, 1, Merkle.sha256(new byte[]{3}), checkpoint.hash(),
                checkpoint.time().plusSeconds(1), Duration.ofSeconds(60), key.publicKey().keyId());
        Checkpoint skipping = new Checkpoint(checkpoint.chain(), 43, 1, next.root(), checkpoint.hash(), next.time(),
                Duration.ofSeconds(60), key.publicKey().keyId());

        assertThat(next.follows(checkpoint)).isTrue();
        assertThat(skipping.follows(checkpoint)).isFalse();
        assertThat(checkpoint.follows(next)).isFalse();
    }

    @Test
    void aKeyFileIsPkcs8PemReadableByItsOwnerOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("signing-key.pem");

        SigningKeys.write(key, file);

        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SigningKeys.read(file).publicKey()).isEqualTo(key.publicKey());
        // The JDK reads the same file as an Ed25519 key: the format is the standard one (RFC 8410).
        SigningKeys.PrivateKey viaJdk = SigningKeys.fromPem(Files.readString(file));
        assertThat(viaJdk.sign("m".getBytes(StandardCharsets.UTF_8))).isEqualTo(key.sign("m".getBytes(StandardCharsets.UTF_8)));
    }
}
