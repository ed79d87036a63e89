package dev.aigov.server.evidence;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.aigov.api.v1.ExportAuditEventsResponse;
import dev.aigov.api.v1.ExportedCheckpoint;
import dev.aigov.api.v1.ExportedEvent;
import dev.aigov.api.v1.ExportedLeaf;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.Merkle;
import dev.aigov.evidence.SignedCheckpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * An export file (JSON Lines of ExportAuditEventsResponse, docs/evidence.md), read line by line with
 * no database: each checkpoint's events (or hidden events' leaf hashes) follow it; chains interleave
 * in the order of their checkpoints' signed time. Memory: one state per chain and one checkpoint's leaves.
 */
final class ExportFileTrail {
    private final Path file;
    private final VerifyOptions options;
    private final Map<UUID, ChainCheck> chains = new LinkedHashMap<>();
    private final Tally tally = new Tally();
    private StoredCheckpoint pending;
    private boolean pendingInRange;
    private final List<Leaf> pendingLeaves = new ArrayList<>();

    ExportFileTrail(Path file, VerifyOptions options) {
        this.file = file;
        this.options = options;
    }

    VerifyReport verify() throws IOException {
        JsonFormat.Parser parser = JsonFormat.parser();
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                ExportAuditEventsResponse.Builder record = ExportAuditEventsResponse.newBuilder();
                try {
                    parser.merge(line, record);
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException("--file " + file + " line " + number + ": not an ExportAuditEventsResponse: "
                            + e.getMessage(), e);
                }
                String where = "line " + number;
                switch (record.getRecordCase()) {
                    case CHECKPOINT -> checkpoint(record.getCheckpoint(), where);
                    case EVENT -> event(record.getEvent(), where);
                    case LEAF -> leaf(record.getLeaf(), where);
                    case RECORD_NOT_SET -> throw new IllegalArgumentException("--file " + file + " " + where
                            + ": neither a checkpoint, an event nor a leaf");
                }
            }
        }
        flush();
        options.trustedHeads().keySet().stream().filter(options::covers).forEach(this::chain);
        chains.values().forEach(check -> {
            check.finish();
            tally.add(check);
        });
        return tally.report("export file " + file, false);
    }

    private ChainCheck chain(UUID chain) {
        return chains.computeIfAbsent(chain, id -> new ChainCheck(id, options));
    }

    private UUID chainId(String text, String where) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--file " + file + " " + where + ": chainId is not a UUID: '" + text + "'", e);
        }
    }

    private void checkpoint(ExportedCheckpoint line, String where) {
        flush();
        UUID chain = chainId(line.getChainId(), where);
        Instant signedAt = signedAt(line.getNote());
        pending = new StoredCheckpoint(chain, line.getSeq(), signedAt, OptionalInt.empty(), line.getNote());
        pendingInRange = options.covers(chain) && options.inRange(signedAt);
    }

    /** The note's time, which the range selects by; an unreadable note is in range (its check reports it). */
    private static Instant signedAt(String note) {
        try {
            return SignedCheckpoint.parse(note).checkpoint().time();
        } catch (IllegalArgumentException e) {
            return Instant.EPOCH;
        }
    }

    private boolean follows(UUID chain, long seq, int leafIndex, String where) {
        if (pending != null && pending.chain().equals(chain) && pending.seq() == seq) {
            return pendingInRange;
        }
        if (options.covers(chain)) {
            chain(chain).fail(seq, "leaf " + leafIndex + " of checkpoint " + seq + " (" + where + ") does not follow its checkpoint: no "
                    + "checkpoint covers it");
        }
        return false;
    }

    private void event(ExportedEvent line, String where) {
        UUID chain = chainId(line.getChainId(), where);
        if (!follows(chain, line.getSeq(), line.getLeafIndex(), where)) {
            return;
        }
        Map<String, Object> columns = new LinkedHashMap<>();
        Optional<UUID> eventId = Optional.empty();
        try {
            for (Map.Entry<String, Value> column : line.getColumns().getFieldsMap().entrySet()) {
                columns.put(column.getKey(), canonical(column.getKey(), column.getValue()));
            }
            if (columns.get("event_id") instanceof String id) {
                eventId = Optional.of(UUID.fromString(id));
            }
            pendingLeaves.add(new Leaf(line.getSeq(), line.getLeafIndex(), eventId, Merkle.leafHash(EventEncoding.encode(columns))));
        } catch (IllegalArgumentException e) {
            chain(chain).fail(line.getSeq(), eventId.map(id -> "event " + id).orElse("the event") + " at leaf " + line.getLeafIndex()
                    + " of checkpoint " + line.getSeq() + " (" + where + ") cannot be encoded: " + e.getMessage());
        }
    }

    private static Object canonical(String name, Value value) {
        if (value.hasStringValue()) {
            return value.getStringValue();
        }
        if (value.hasListValue()) {
            List<String> elements = new ArrayList<>();
            for (Value element : value.getListValue().getValuesList()) {
                if (!element.hasStringValue()) {
                    throw new IllegalArgumentException("column " + name + " holds a non-string element");
                }
                elements.add(element.getStringValue());
            }
            return elements;
        }
        throw new IllegalArgumentException("column " + name + " is not canonical text (a string or a list of strings)");
    }

    private void leaf(ExportedLeaf line, String where) {
        UUID chain = chainId(line.getChainId(), where);
        if (!follows(chain, line.getSeq(), line.getLeafIndex(), where)) {
            return;
        }
        if (line.getHash().size() != Merkle.HASH_SIZE) {
            chain(chain).fail(line.getSeq(),
                    "leaf " + line.getLeafIndex() + " of checkpoint " + line.getSeq() + " (" + where + "): its hash has "
                            + line.getHash().size() + " bytes, not 32");
            return;
        }
        pendingLeaves.add(new Leaf(line.getSeq(), line.getLeafIndex(), Optional.empty(), line.getHash().toByteArray()));
    }

    private void flush() {
        if (pending != null && pendingInRange) {
            pendingLeaves.sort(Comparator.comparingInt(Leaf::leafIndex));
            if (chain(pending.chain()).check(pending, List.copyOf(pendingLeaves))) {
                tally.hiddenEvents += pendingLeaves.stream().filter(leaf -> leaf.eventId().isEmpty()).count();
            }
        }
        pending = null;
        pendingLeaves.clear();
    }
}
