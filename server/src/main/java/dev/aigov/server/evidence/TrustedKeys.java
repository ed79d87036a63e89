package dev.aigov.server.evidence;

import static dev.aigov.db.jooq.Tables.SIGNING_KEYS;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.aigov.api.v1.ListSigningKeysResponse;
import dev.aigov.api.v1.SigningKey;
import dev.aigov.evidence.SigningKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;

/** The keys a verification trusts: a keys.json from outside the trail, or (weaker) the trail's own signing_keys table. */
public final class TrustedKeys {
    private TrustedKeys() {
    }

    /**
     * Reads {@code keys.json}, {@code {"keys":[{"key_id","algorithm":"ed25519","public_key":"<base64>"}]}}
     * (what {@code keys list --json} and ListSigningKeys print); an {@link IllegalArgumentException} names what is wrong.
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
