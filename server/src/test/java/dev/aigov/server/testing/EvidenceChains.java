package dev.aigov.server.testing;

import dev.aigov.evidence.Checkpoint;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.Merkle;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.evidence.SigningKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Writes signed chains into audit_events and audit_checkpoints exactly as docs/evidence.md says the
 * audit writer does (each batch's events with their place, its checkpoint signed and chained), for
 * tests of what reads them, until the evidence writer is on the integration branch.
 */
public final class EvidenceChains {
    /** The tests' one signing key, published in signing_keys on first use. */
    public static final SigningKeys.PrivateKey KEY = SigningKeys.generate();

    private EvidenceChains() {
    }

    /** One checkpoint's events (canonical column values, as {@link EventEncoding#encode(Map)} takes) and when it is signed. */
    public record Batch(Instant signedAt, List<Map<String, Object>> events) {
    }

    /** A decision event of {@code workspace} (null: none) at {@code at}, in the vocabulary ListAuditEvents reads back. */
    public static Map<String, Object> decision(String workspace, Instant at) {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("event_id", UUID.randomUUID().toString());
        columns.put("occurred_at", EventEncoding.timestamp(at));
        columns.put("kind", "ai_decision");
        if (workspace != null) {
            columns.put("workspace_id", workspace);
        }
        columns.put("tenant_id", "tenant-7");
        columns.put("actor_id", "user-1");
        columns.put("actor_kind", "user");
        columns.put("decision_id", UUID.randomUUID().toString());
        columns.put("use_case", "summarize");
        columns.put("provider_class", "external_public");
        columns.put("data_classifications", List.of("personal_data", "secret"));
        columns.put("source_family", "docs");
        columns.put("outcome", "allow");
        columns.put("all_reasons", List.of());
        columns.put("policy_mode", "private_only");
        columns.put("policy_version", "3");
        columns.put("control_state", "enabled");
        columns.put("control_version", "-1");
        // Free text, as ListAuditEvents reads it back: the characters the encodings escape.
        columns.put("message", "Allowed, with \\ and\nnewline.");
        columns.put("changed", "false");
        return columns;
    }

    /** A mutation_denied event with no workspace at {@code at}. */
    public static Map<String, Object> denied(Instant at) {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("event_id", UUID.randomUUID().toString());
        columns.put("occurred_at", EventEncoding.timestamp(at));
        columns.put("kind", "mutation_denied");
        columns.put("method", "SetExecutionControl");
        columns.put("status_code", "PERMISSION_DENIED");
        columns.put("error_reason", "ERROR_REASON_MISSING_CAPABILITY");
        columns.put("repeat_count", "2");
        columns.put("first_occurred_at", EventEncoding.timestamp(at.minusSeconds(5)));
        return columns;
    }

    /** Writes a new chain of {@code batches} from seq 0; returns its checkpoints. */
    public static List<SignedCheckpoint> write(DataSource dataSource, UUID chain, List<Batch> batches) {
        return write(dataSource, chain, 0, Checkpoint.NO_PREVIOUS, batches);
    }

    /** Writes {@code batches} to {@code chain} from {@code firstSeq}, the first one's prev {@code prev}. */
    public static List<SignedCheckpoint> write(DataSource dataSource, UUID chain, long firstSeq, byte[] prev, List<Batch> batches) {
        List<SignedCheckpoint> written = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            publishKey(connection);
            long seq = firstSeq;
            byte[] previous = prev;
            for (Batch batch : batches) {
                List<byte[]> leaves = new ArrayList<>();
                for (int i = 0; i < batch.events().size(); i++) {
                    Map<String, Object> event = batch.events().get(i);
                    insertEvent(connection, event, chain, seq, i);
                    leaves.add(Merkle.leafHash(EventEncoding.encode(event)));
                }
                Checkpoint checkpoint = new Checkpoint(chain, seq, leaves.size(), Merkle.root(leaves), previous, batch.signedAt(),
                        Duration.ofSeconds(60), KEY.publicKey().keyId());
                SignedCheckpoint signed = SignedCheckpoint.sign(checkpoint, KEY);
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO audit_checkpoints (chain_id, seq, signed_at, size, key_id, note) VALUES (?, ?, ?, ?, ?, ?)")) {
                    insert.setObject(1, chain);
                    insert.setLong(2, seq);
                    insert.setObject(3, OffsetDateTime.ofInstant(batch.signedAt(), ZoneOffset.UTC));
                    insert.setInt(4, leaves.size());
                    insert.setString(5, checkpoint.keyId());
                    insert.setString(6, signed.note());
                    insert.executeUpdate();
                }
                written.add(signed);
                previous = checkpoint.hash();
                seq++;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not write the test chain: " + e.getMessage(), e);
        }
        return written;
    }

    private static void publishKey(Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO signing_keys (key_id, algorithm, public_key, replica)"
                + " VALUES (?, 'ed25519', ?, 'tests') ON CONFLICT DO NOTHING")) {
            insert.setString(1, KEY.publicKey().keyId());
            insert.setBytes(2, KEY.publicKey().bytes());
            insert.executeUpdate();
        }
    }

    private static void insertEvent(Connection connection, Map<String, Object> event, UUID chain, long seq, int leafIndex)
            throws SQLException {
        List<EventEncoding.Column> present = EventEncoding.COLUMNS.stream().filter(column -> event.get(column.name()) != null).toList();
        String names = present.stream().map(EventEncoding.Column::name).collect(Collectors.joining(", "));
        String values = present.stream().map(column -> switch (column.type()) {
            case UUID -> "?::uuid";
            case TIMESTAMP -> "?::timestamptz";
            case INTEGER -> "?::bigint";
            case BOOLEAN -> "?::boolean";
            case ARRAY, TEXT -> "?";
        }).collect(Collectors.joining(", "));
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_events (" + names
                + ", chain_id, chain_seq, leaf_index) VALUES (" + values + ", ?, ?, ?)")) {
            int at = 1;
            for (EventEncoding.Column column : present) {
                Object value = event.get(column.name());
                if (value instanceof List<?> list) {
                    insert.setArray(at++, connection.createArrayOf("text", list.toArray()));
                } else {
                    insert.setString(at++, (String) value);
                }
            }
            insert.setObject(at++, chain);
            insert.setLong(at++, seq);
            insert.setInt(at, leafIndex);
            insert.executeUpdate();
        }
    }
}
