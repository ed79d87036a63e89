package dev.aigov.server.evidence;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.evidence.SigningKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code --checkpoint FILE} of {@code audit verify}: checkpoints kept outside the database, of
 * which each chain's highest seq is its trusted head. The file is either JSON Lines whose lines
 * carry a note as {@code {"checkpoint":{...,"note":"..."}}} (an export file, or the server's
 * {@code AIGOV_CHECKPOINT_DIR/checkpoints.jsonl}) or {@code {"note":"..."}}, other lines (events,
 * leaves) skipped; or exactly one signed note as text. Every note must verify with a trusted key.
 */
public final class TrustedHeads {
    /** A chain's trusted head and where it was read. */
    public record Head(SignedCheckpoint checkpoint, String source) {
    }

    private TrustedHeads() {
    }

    /** Reads {@code file}; an {@link IllegalArgumentException} names the file, its line and what is wrong. */
    public static Map<UUID, Head> read(Path file, SigningKeys.KeySet keys) throws IOException {
        Map<UUID, Head> heads = new LinkedHashMap<>();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.stripLeading().startsWith("{")) {
            try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                int number = 0;
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    String where = "--checkpoint " + file + " line " + number;
                    String note = note(line, where);
                    if (note != null) {
                        add(heads, parse(note, where, keys), where);
                    }
                }
            }
        } else {
            String where = "--checkpoint " + file;
            add(heads, parse(text.endsWith("\n") ? text : text + "\n", where, keys), where);
        }
        if (heads.isEmpty()) {
            throw new IllegalArgumentException("--checkpoint " + file + " holds no checkpoint note");
        }
        return heads;
    }

    private static String note(String line, String where) {
        Struct.Builder object = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(line, object);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(where + ": not a JSON object: " + e.getMessage(), e);
        }
        Map<String, Value> fields = object.getFieldsMap();
        Value checkpoint = fields.get("checkpoint");
        if (checkpoint != null && checkpoint.hasStructValue()) {
            fields = checkpoint.getStructValue().getFieldsMap();
        } else if (checkpoint != null || fields.containsKey("event") || fields.containsKey("leaf")) {
            return null;
        }
        Value note = fields.get("note");
        if (note == null) {
            return null;
        }
        if (!note.hasStringValue()) {
            throw new IllegalArgumentException(where + ": note is not a string");
        }
        return note.getStringValue();
    }

    private static SignedCheckpoint parse(String note, String where, SigningKeys.KeySet keys) {
        SignedCheckpoint signed;
        try {
            signed = SignedCheckpoint.parse(note);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": not a signed checkpoint: " + e.getMessage(), e);
        }
        String keyId = signed.checkpoint().keyId();
        SigningKeys.PublicKey key = keys.find(keyId).orElseThrow(() -> new IllegalArgumentException(
                where + ": checkpoint " + signed.checkpoint().seq() + " of chain " + signed.checkpoint().chain()
                        + " is signed by " + keyId + ", which is not a trusted key"));
        if (!signed.verify(key)) {
            throw new IllegalArgumentException(where + ": the signature of checkpoint " + signed.checkpoint().seq() + " of chain "
                    + signed.checkpoint().chain() + " does not verify with " + keyId);
        }
        return signed;
    }

    private static void add(Map<UUID, Head> heads, SignedCheckpoint signed, String where) {
        UUID chain = signed.checkpoint().chain();
        Head known = heads.get(chain);
        if (known == null || known.checkpoint().checkpoint().seq() < signed.checkpoint().seq()) {
            heads.put(chain, new Head(signed, where));
        }
    }
}
