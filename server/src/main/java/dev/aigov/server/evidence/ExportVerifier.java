package dev.aigov.server.evidence;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.aigov.api.v1.ExportAuditEventsResponse;
import dev.aigov.api.v1.ExportedCheckpoint;
import dev.aigov.evidence.Checkpoint;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.Merkle;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.evidence.SigningKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Checks an export on its own (docs/evidence.md, "Verifying"), record by record in bounded memory:
 * each checkpoint's note parses and is signed by a trusted key, names the chain and seq its record
 * does, follows the checkpoint before it in its chain when the export holds that one (seq + 1 and
 * {@code prev}); its events and leaves come in leaf order, as many as its size, and their leaf
 * hashes make its root. A chain may begin anywhere (an export of a time range, an archived month):
 * what came before is another export's to prove.
 *
 * <p>The archive of housekeeping's retention uses it until {@code audit verify}'s TrailVerifier is
 * on the integration branch; it is meant to be swapped for it then.
 */
public final class ExportVerifier {
    /** What a verification found: the records checked and the first problem, if any. */
    public record Result(long checkpoints, long events, long leaves, Optional<String> problem) {
        public boolean verified() {
            return problem.isEmpty();
        }
    }

    private final SigningKeys.KeySet keys;
    private final Map<UUID, Checkpoint> lastOfChain = new HashMap<>();
    private SignedCheckpoint open;
    private final List<byte[]> leaves = new ArrayList<>();
    private long checkpoints;
    private long events;
    private long hidden;
    private Optional<String> problem = Optional.empty();

    public ExportVerifier(SigningKeys.KeySet keys) {
        this.keys = keys;
    }

    /** Verifies a JSON Lines export file. */
    public static Result verifyFile(Path file, SigningKeys.KeySet keys) throws IOException {
        ExportVerifier verifier = new ExportVerifier(keys);
        JsonFormat.Parser parser = JsonFormat.parser();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long line = 0;
            for (String text = reader.readLine(); text != null && verifier.problem.isEmpty(); text = reader.readLine()) {
                line++;
                ExportAuditEventsResponse.Builder record = ExportAuditEventsResponse.newBuilder();
                try {
                    parser.merge(text, record);
                } catch (InvalidProtocolBufferException e) {
                    verifier.fail("line " + line + " is not an export record: " + e.getMessage());
                    break;
                }
                verifier.accept(record.build());
            }
        }
        return verifier.finish();
    }

    /** Verifies records already in memory. */
    public Result verifyAll(Iterable<ExportAuditEventsResponse> records) {
        records.forEach(this::accept);
        return finish();
    }

    /** Takes the next record of the export. */
    public void accept(ExportAuditEventsResponse record) {
        if (problem.isPresent()) {
            return;
        }
        switch (record.getRecordCase()) {
            case CHECKPOINT -> checkpoint(record.getCheckpoint());
            case EVENT -> leaf(record.getEvent().getChainId(), record.getEvent().getSeq(), record.getEvent().getLeafIndex(),
                    () -> Merkle.leafHash(EventEncoding.encode(AuditExporter.columns(record.getEvent().getColumns()))), false);
            case LEAF -> leaf(record.getLeaf().getChainId(), record.getLeaf().getSeq(), record.getLeaf().getLeafIndex(),
                    () -> record.getLeaf().getHash().toByteArray(), true);
            default -> fail("a record with neither checkpoint, event nor leaf");
        }
    }

    /** Ends the export: the last checkpoint must be complete. */
    public Result finish() {
        closeCheckpoint();
        return new Result(checkpoints, events, hidden, problem);
    }

    private void checkpoint(ExportedCheckpoint record) {
        closeCheckpoint();
        if (problem.isPresent()) {
            return;
        }
        SignedCheckpoint signed;
        try {
            signed = SignedCheckpoint.parse(record.getNote());
        } catch (IllegalArgumentException e) {
            fail("checkpoint " + record.getChainId() + "/" + record.getSeq() + ": " + e.getMessage());
            return;
        }
        Checkpoint checkpoint = signed.checkpoint();
        String name = "checkpoint " + checkpoint.chain() + "/" + checkpoint.seq();
        if (!checkpoint.chain().toString().equals(record.getChainId()) || checkpoint.seq() != record.getSeq()) {
            fail(name + " is exported as " + record.getChainId() + "/" + record.getSeq());
            return;
        }
        Optional<SigningKeys.PublicKey> key = keys.find(checkpoint.keyId());
        if (key.isEmpty()) {
            fail(name + " is signed by " + checkpoint.keyId() + ", which is not a trusted key");
            return;
        }
        if (!signed.verify(key.get())) {
            fail(name + ": its signature is not " + checkpoint.keyId() + "'s");
            return;
        }
        Checkpoint previous = lastOfChain.get(checkpoint.chain());
        if (previous != null && !checkpoint.follows(previous)) {
            fail(name + " does not follow seq " + previous.seq() + " of its chain (a gap, a reordering or another prev)");
            return;
        }
        if (previous == null && checkpoint.seq() == 0 && !Arrays.equals(checkpoint.prev(), Checkpoint.NO_PREVIOUS)) {
            fail(name + " is a chain's first but its prev is not zero");
            return;
        }
        lastOfChain.put(checkpoint.chain(), checkpoint);
        open = signed;
        checkpoints++;
    }

    private void leaf(String chain, long seq, int index, java.util.function.Supplier<byte[]> hash, boolean isLeaf) {
        if (open == null) {
            fail("an event before any checkpoint");
            return;
        }
        Checkpoint checkpoint = open.checkpoint();
        String name = "event " + chain + "/" + seq + "/" + index;
        if (!checkpoint.chain().toString().equals(chain) || checkpoint.seq() != seq) {
            fail(name + " follows checkpoint " + checkpoint.chain() + "/" + checkpoint.seq());
            return;
        }
        if (index != leaves.size()) {
            fail(name + " is out of leaf order (expected leaf " + leaves.size() + ")");
            return;
        }
        byte[] leafHash;
        try {
            leafHash = hash.get();
        } catch (IllegalArgumentException e) {
            fail(name + ": " + e.getMessage());
            return;
        }
        if (leafHash.length != Merkle.HASH_SIZE) {
            fail(name + ": a leaf hash has 32 bytes");
            return;
        }
        leaves.add(leafHash);
        if (isLeaf) {
            hidden++;
        } else {
            events++;
        }
    }

    private void closeCheckpoint() {
        if (open == null || problem.isPresent()) {
            return;
        }
        Checkpoint checkpoint = open.checkpoint();
        String name = "checkpoint " + checkpoint.chain() + "/" + checkpoint.seq();
        if (leaves.size() != checkpoint.size()) {
            fail(name + " has size " + checkpoint.size() + " but " + leaves.size() + " events in the export");
        } else if (!Arrays.equals(Merkle.root(leaves), checkpoint.root())) {
            fail(name + ": its events' root is not its root (an event was changed)");
        }
        open = null;
        leaves.clear();
    }

    private void fail(String what) {
        if (problem.isEmpty()) {
            problem = Optional.of(what);
        }
    }
}
