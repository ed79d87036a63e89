package dev.aigov.server.evidence;

import static dev.aigov.db.jooq.Tables.SIGNING_KEYS;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.aigov.api.v1.ListSigningKeysResponse;
import dev.aigov.api.v1.SigningKey;
import dev.aigov.evidence.SigningKeys;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;

/**
 * The published signing keys (table {@code signing_keys}) as ListSigningKeys answers them, and
 * {@code keys.json} (docs/evidence.md, "Keys"): that answer's JSON with the proto field names,
 * {@code {"keys":[{"key_id","algorithm","public_key"}]}}. Keys read from the database are only as
 * trustworthy as the database: a verifier that means it takes them from elsewhere.
 */
public final class KeysFile {
    private KeysFile() {
    }

    /** Every published key, oldest first. */
    public static ListSigningKeysResponse published(DSLContext dsl) {
        ListSigningKeysResponse.Builder response = ListSigningKeysResponse.newBuilder();
        dsl.selectFrom(SIGNING_KEYS).orderBy(SIGNING_KEYS.CREATED_AT, SIGNING_KEYS.KEY_ID).forEach(row -> response.addKeys(
                SigningKey.newBuilder().setKeyId(row.getKeyId()).setAlgorithm(row.getAlgorithm())
                        .setPublicKey(ByteString.copyFrom(row.getPublicKey()))
                        .setCreatedAt(com.google.protobuf.Timestamp.newBuilder()
                                .setSeconds(row.getCreatedAt().withOffsetSameInstant(ZoneOffset.UTC).toEpochSecond())
                                .setNanos(row.getCreatedAt().getNano()))
                        .setReplica(row.getReplica())));
        return response.build();
    }

    /** The published keys as keys.json. */
    public static String json(DSLContext dsl) {
        try {
            return JsonFormat.printer().preservingProtoFieldNames().print(published(dsl)) + "\n";
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the keys always print", e);
        }
    }

    /** Writes {@link #json} to {@code file}, durably and atomically. */
    public static void write(DSLContext dsl, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(temporary, json(dsl), StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads {@code keys.json} (or a saved ListSigningKeys answer); an {@link IllegalArgumentException}
     * names what is wrong, and where.
     */
    public static SigningKeys.KeySet read(Path file) throws IOException {
        ListSigningKeysResponse.Builder keys = ListSigningKeysResponse.newBuilder();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(Files.readString(file, StandardCharsets.UTF_8), keys);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("--keys " + file + ": not a keys file ({\"keys\":[{\"key_id\",\"algorithm\","
                    + "\"public_key\"}]}): " + e.getMessage(), e);
        }
        List<SigningKeys.PublicKey> trusted = new ArrayList<>();
        for (int i = 0; i < keys.getKeysCount(); i++) {
            SigningKey key = keys.getKeys(i);
            String where = "--keys " + file + ": keys[" + i + "]";
            if (!key.getAlgorithm().equals("ed25519")) {
                throw new IllegalArgumentException(where + ".algorithm must be ed25519, not '" + key.getAlgorithm() + "'");
            }
            SigningKeys.PublicKey publicKey;
            try {
                publicKey = SigningKeys.PublicKey.of(key.getPublicKey().toByteArray());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".public_key: " + e.getMessage(), e);
            }
            if (!key.getKeyId().isEmpty() && !key.getKeyId().equals(publicKey.keyId())) {
                throw new IllegalArgumentException(where + ".key_id is " + key.getKeyId() + ", but its public_key's id is "
                        + publicKey.keyId());
            }
            trusted.add(publicKey);
        }
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("--keys " + file + " holds no key");
        }
        return SigningKeys.KeySet.of(trusted);
    }

    /** The keys the trail publishes itself. They prove only that the trail agrees with itself. */
    public static SigningKeys.KeySet fromDatabase(DSLContext dsl) {
        List<SigningKeys.PublicKey> keys = new ArrayList<>();
        dsl.select(SIGNING_KEYS.PUBLIC_KEY).from(SIGNING_KEYS).where(SIGNING_KEYS.ALGORITHM.eq("ed25519"))
                .forEach(row -> keys.add(SigningKeys.PublicKey.of(row.value1())));
        return SigningKeys.KeySet.of(keys);
    }
}
