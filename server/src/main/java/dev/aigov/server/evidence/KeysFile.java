package dev.aigov.server.evidence;

import dev.aigov.evidence.SigningKeys;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * {@code keys.json} (docs/evidence.md, "Keys"): {@code {"keys":[{"key_id","algorithm","public_key"}]}},
 * written from the table {@code signing_keys} and read back. Keys written from the database are only
 * as trustworthy as the database: a verifier that means it takes them from elsewhere.
 */
public final class KeysFile {
    private static final Pattern ENTRY = Pattern.compile(
            "\\{\\s*\"key_id\"\\s*:\\s*\"([^\"]*)\"\\s*,\\s*\"algorithm\"\\s*:\\s*\"([^\"]*)\"\\s*,\\s*\"public_key\"\\s*:\\s*\"([^\"]*)\"\\s*}");

    private KeysFile() {
    }

    /** The published keys as keys.json. */
    public static String json(DSLContext dsl) {
        StringBuilder json = new StringBuilder("{\"keys\":[");
        boolean first = true;
        for (Record row : dsl.fetch("SELECT key_id, algorithm, public_key FROM signing_keys ORDER BY created_at, key_id")) {
            json.append(first ? "" : ",").append("\n{\"key_id\":\"").append(row.get(0, String.class))
                    .append("\",\"algorithm\":\"").append(row.get(1, String.class))
                    .append("\",\"public_key\":\"").append(Base64.getEncoder().encodeToString(row.get(2, byte[].class))).append("\"}");
            first = false;
        }
        return json.append("\n]}\n").toString();
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

    /** Reads a keys.json as this class writes it; each key's id must be its public key's. */
    public static SigningKeys.KeySet read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<SigningKeys.PublicKey> keys = new ArrayList<>();
        Matcher matcher = ENTRY.matcher(text);
        while (matcher.find()) {
            if (!matcher.group(2).equals("ed25519")) {
                throw new IOException(file + ": key " + matcher.group(1) + " is " + matcher.group(2) + ", not ed25519");
            }
            SigningKeys.PublicKey key;
            try {
                key = SigningKeys.PublicKey.of(Base64.getDecoder().decode(matcher.group(3)));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": key " + matcher.group(1) + ": " + e.getMessage(), e);
            }
            if (!key.keyId().equals(matcher.group(1))) {
                throw new IOException(file + ": key_id " + matcher.group(1) + " is not its public key's (" + key.keyId() + ")");
            }
            keys.add(key);
        }
        return SigningKeys.KeySet.of(keys);
    }
}
