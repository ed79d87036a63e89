package dev.aigov.server.evidence;

import static dev.aigov.db.jooq.Tables.SIGNING_KEYS;

import dev.aigov.evidence.SigningKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key this replica signs checkpoints with: read from its key file (made there, 0600, on first
 * start), or, without a file, made for this process alone. Reloaded on SIGHUP after {@code keys
 * rotate}; every key used is first published in {@code signing_keys}.
 */
public final class ReplicaKey {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaKey.class);

    private final Optional<Path> file;
    private final String replica;
    private volatile SigningKeys.PrivateKey current;

    private ReplicaKey(Optional<Path> file, String replica, SigningKeys.PrivateKey current) {
        this.file = file;
        this.replica = replica;
        this.current = current;
    }

    /** The key in {@code file}, made there first if there is none. */
    public static ReplicaKey fromFile(Path file, String replica) {
        return new ReplicaKey(Optional.of(file), replica, readOrMake(file));
    }

    /** A key for this process alone (its public key is published like any other). */
    public static ReplicaKey ephemeral(String replica) {
        SigningKeys.PrivateKey key = SigningKeys.generate();
        LOG.warn("Signing checkpoints with {}, a key made for this process alone (set AIGOV_SIGNING_KEY_FILE to keep one across restarts)",
                key.publicKey().keyId());
        return new ReplicaKey(Optional.empty(), replica, key);
    }

    private static SigningKeys.PrivateKey readOrMake(Path file) {
        try {
            if (Files.exists(file)) {
                return SigningKeys.read(file);
            }
            SigningKeys.PrivateKey made = SigningKeys.generate();
            SigningKeys.write(made, file);
            LOG.info("Made the signing key {} in {}", made.publicKey().keyId(), file);
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException("the signing key " + file + " cannot be read or made: " + e.getMessage(), e);
        }
    }

    public SigningKeys.PrivateKey current() {
        return current;
    }

    /** Where the key lives; empty for a key of this process alone. */
    public Optional<Path> file() {
        return file;
    }

    /**
     * Reads the key file again (after {@code keys rotate}) and publishes the key it holds before
     * signing with it. Returns whether the key changed.
     */
    public boolean reload(DSLContext dsl) {
        if (file.isEmpty()) {
            return false;
        }
        SigningKeys.PrivateKey read;
        try {
            read = SigningKeys.read(file.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        if (read.publicKey().equals(current.publicKey())) {
            return false;
        }
        publish(dsl, read.publicKey(), replica);
        String was = current.publicKey().keyId();
        current = read;
        LOG.info("Signing checkpoints with {} from now on (was {})", read.publicKey().keyId(), was);
        return true;
    }

    /** Publishes the current key in {@code signing_keys} (once; a key already there is left as it is). */
    public void publish(DSLContext dsl) {
        publish(dsl, current.publicKey(), replica);
    }

    /** Publishes {@code key} in {@code signing_keys} (once; a key already there is left as it is). */
    public static void publish(DSLContext dsl, SigningKeys.PublicKey key, String replica) {
        dsl.insertInto(SIGNING_KEYS)
                .set(SIGNING_KEYS.KEY_ID, key.keyId())
                .set(SIGNING_KEYS.ALGORITHM, "ed25519")
                .set(SIGNING_KEYS.PUBLIC_KEY, key.bytes())
                .set(SIGNING_KEYS.REPLICA, replica.length() > 512 ? replica.substring(0, 512) : replica)
                .set(SIGNING_KEYS.CREATED_AT, OffsetDateTime.now(ZoneOffset.UTC))
                .onConflict(SIGNING_KEYS.KEY_ID).doNothing()
                .execute();
    }
}
