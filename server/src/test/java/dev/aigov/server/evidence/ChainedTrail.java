package dev.aigov.server.evidence;

import static dev.aigov.server.storage.EmbeddedCredentials.OWNER_ROLE;
import static dev.aigov.server.storage.EmbeddedCredentials.RUNTIME_ROLE;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.aigov.api.v1.ExportAuditEventsResponse;
import dev.aigov.api.v1.ExportedCheckpoint;
import dev.aigov.api.v1.ExportedEvent;
import dev.aigov.api.v1.ExportedLeaf;
import dev.aigov.evidence.Checkpoint;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.Merkle;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.evidence.SigningKeys;
import dev.aigov.server.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A chained trail written straight into the shared test database exactly as docs/evidence.md says
 * (until the real writer lands): per batch, in one transaction as the runtime role, its events with
 * their places and its signed checkpoint. Tampering helpers run as the owner role.
 */
final class ChainedTrail {
    /** One written chain: its checkpoints and each checkpoint's events (canonical column values), in leaf order. */
    record Written(UUID chain, List<SignedCheckpoint> checkpoints, List<List<Map<String, Object>>> events) {
        UUID eventId(int seq, int leaf) {
            return UUID.fromString((String) events.get(seq).get(leaf).get("event_id"));
        }
    }

    private ChainedTrail() {
    }

    /** A new key, published in signing_keys. */
    static SigningKeys.PrivateKey publishedKey() {
        SigningKeys.PrivateKey key = SigningKeys.generate();
        publish(key.publicKey());
        return key;
    }

    static void publish(SigningKeys.PublicKey key) {
        try (Connection connection = TestDatabase.sharedConnectionAs(RUNTIME_ROLE);
             PreparedStatement insert = connection.prepareStatement("INSERT INTO signing_keys (key_id, algorithm, public_key,"
                     + " replica) VALUES (?, 'ed25519', ?, 'test') ON CONFLICT DO NOTHING")) {
            insert.setString(1, key.keyId());
            insert.setBytes(2, key.bytes());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** A decision event at {@code at} in {@code workspace}, as canonical column values. */
    static Map<String, Object> decision(Instant at, String workspace, int n) {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("event_id", UUID.randomUUID().toString());
        columns.put("occurred_at", EventEncoding.timestamp(at.truncatedTo(ChronoUnit.MICROS)));
        columns.put("kind", "ai_decision");
        columns.put("workspace_id", workspace);
        columns.put("principal", "svc-" + n);
        columns.put("actor_id", "user-" + n);
        columns.put("actor_kind", "user");
        columns.put("request_id", UUID.randomUUID().toString());
        columns.put("decision_id", UUID.randomUUID().toString());
        columns.put("use_case", "support, \"reply\"\nline two");
        columns.put("provider_class", "private");
        columns.put("data_classifications", List.of("personal", "odd,one]"));
        columns.put("source_family", "ticket");
        columns.put("outcome", n % 3 == 0 ? "block" : "allow");
        columns.put("all_reasons", List.of());
        columns.put("rejected_classifications", List.of());
        columns.put("policy_mode", "private_only");
        columns.put("policy_version", Integer.toString(n + 1));
        columns.put("control_state", "enabled");
        columns.put("control_version", "1");
        columns.put("changed", "false");
        return columns;
    }

    /** Writes a chain of checkpoints of these sizes, their events in workspace {@code workspace} from {@code firstEvent} on. */
    static Written write(SigningKeys.PrivateKey key, Instant firstEvent, int... sizes) {
        return write(key, firstEvent, i -> false, sizes);
    }

    /** As {@link #write(SigningKeys.PrivateKey, Instant, int...)}, the events whose number {@code other} accepts in another workspace. */
    static Written write(SigningKeys.PrivateKey key, Instant firstEvent, Predicate<Integer> other, int... sizes) {
        UUID chain = UUID.randomUUID();
        List<SignedCheckpoint> checkpoints = new ArrayList<>();
        List<List<Map<String, Object>>> events = new ArrayList<>();
        byte[] prev = Checkpoint.NO_PREVIOUS;
        int n = 0;
        Instant signedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try (Connection connection = TestDatabase.sharedConnectionAs(RUNTIME_ROLE)) {
            connection.setAutoCommit(false);
            for (int seq = 0; seq < sizes.length; seq++) {
                List<Map<String, Object>> batch = new ArrayList<>();
                List<byte[]> leaves = new ArrayList<>();
                for (int leaf = 0; leaf < sizes[seq]; leaf++, n++) {
                    Map<String, Object> event = decision(firstEvent.plusMillis(n), other.test(n) ? "ws-other" : "ws-verify", n);
                    insertEvent(connection, event, chain, seq, leaf);
                    batch.add(event);
                    leaves.add(Merkle.leafHash(EventEncoding.encode(event)));
                }
                Checkpoint body = new Checkpoint(chain, seq, sizes[seq], Merkle.root(leaves), prev, signedAt.plus(seq, ChronoUnit.MICROS),
                        Duration.ofSeconds(60), key.publicKey().keyId());
                SignedCheckpoint signed = SignedCheckpoint.sign(body, key);
                insertCheckpoint(connection, signed);
                connection.commit();
                prev = body.hash();
                checkpoints.add(signed);
                events.add(batch);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return new Written(chain, checkpoints, events);
    }

    /** A chain of {@code checkpoints} checkpoints of {@code size} events each, written in batched inserts (benchmarks). */
    static UUID writeLarge(SigningKeys.PrivateKey key, Instant firstEvent, int checkpoints, int size) {
        UUID chain = UUID.randomUUID();
        byte[] prev = Checkpoint.NO_PREVIOUS;
        Instant signedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<String> names = new ArrayList<>(decision(firstEvent, "ws-bench", 0).keySet());
        String sql = "INSERT INTO audit_events (" + String.join(", ", names) + ", chain_id, chain_seq, leaf_index) VALUES ("
                + "?, ".repeat(names.size()) + "?, ?, ?)";
        int n = 0;
        try (Connection connection = TestDatabase.sharedConnectionAs(RUNTIME_ROLE)) {
            connection.setAutoCommit(false);
            for (int seq = 0; seq < checkpoints; seq++) {
                List<byte[]> leaves = new ArrayList<>();
                try (PreparedStatement insert = connection.prepareStatement(sql)) {
                    for (int leaf = 0; leaf < size; leaf++, n++) {
                        Map<String, Object> event = decision(firstEvent.plusMillis(n), "ws-bench", n);
                        int i = 1;
                        for (String name : names) {
                            Object value = event.get(name);
                            if (value instanceof List<?> list) {
                                insert.setArray(i++, connection.createArrayOf("text", list.toArray()));
                            } else {
                                insert.setObject(i++, value, Types.OTHER);
                            }
                        }
                        insert.setObject(i++, chain);
                        insert.setLong(i++, seq);
                        insert.setInt(i, leaf);
                        insert.addBatch();
                        leaves.add(Merkle.leafHash(EventEncoding.encode(event)));
                    }
                    insert.executeBatch();
                }
                Checkpoint body = new Checkpoint(chain, seq, size, Merkle.root(leaves), prev, signedAt.plus(seq, ChronoUnit.MICROS),
                        Duration.ofSeconds(60), key.publicKey().keyId());
                insertCheckpoint(connection, SignedCheckpoint.sign(body, key));
                connection.commit();
                prev = body.hash();
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return chain;
    }

    static void insertEvent(Connection connection, Map<String, Object> event, UUID chain, long seq, int leaf) throws SQLException {
        List<String> names = new ArrayList<>(event.keySet());
        String sql = "INSERT INTO audit_events (" + String.join(", ", names) + ", chain_id, chain_seq, leaf_index) VALUES ("
                + "?, ".repeat(names.size()) + "?, ?, ?)";
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            int i = 1;
            for (String name : names) {
                Object value = event.get(name);
                if (value instanceof List<?> list) {
                    insert.setArray(i++, connection.createArrayOf("text", list.toArray()));
                } else {
                    insert.setObject(i++, value, Types.OTHER);
                }
            }
            insert.setObject(i++, chain);
            insert.setLong(i++, seq);
            insert.setInt(i, leaf);
            insert.executeUpdate();
        }
    }

    static void insertCheckpoint(Connection connection, SignedCheckpoint signed) throws SQLException {
        Checkpoint body = signed.checkpoint();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_checkpoints (chain_id, seq, signed_at, size,"
                + " key_id, note) VALUES (?, ?, ?::timestamptz, ?, ?, ?)")) {
            insert.setObject(1, body.chain());
            insert.setLong(2, body.seq());
            insert.setString(3, EventEncoding.timestamp(body.time()));
            insert.setInt(4, body.size());
            insert.setString(5, body.keyId());
            insert.setString(6, signed.note());
            insert.executeUpdate();
        }
    }

    /** Runs {@code statements} as the owner role in one transaction; {@code ?} binds {@code parameters} in order, statement by statement. */
    static void asOwner(List<String> statements, Object... parameters) {
        try (Connection connection = TestDatabase.sharedConnectionAs(OWNER_ROLE)) {
            connection.setAutoCommit(false);
            int p = 0;
            for (String sql : statements) {
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    int count = (int) sql.chars().filter(c -> c == '?').count();
                    for (int i = 1; i <= count; i++) {
                        statement.setObject(i, parameters[p++]);
                    }
                    statement.execute();
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** The partition of audit_events holding this event. */
    static String eventPartition(UUID eventId) {
        return single("SELECT tableoid::regclass::text FROM audit_events WHERE event_id = ?", eventId);
    }

    /** The partition of audit_checkpoints holding this checkpoint. */
    static String checkpointPartition(UUID chain, long seq) {
        return single("SELECT tableoid::regclass::text FROM audit_checkpoints WHERE chain_id = ? AND seq = ?", chain, seq);
    }

    private static String single(String sql, Object... parameters) {
        try (Connection connection = TestDatabase.sharedConnectionAs(OWNER_ROLE);
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (var rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new AssertionError("no row for " + sql);
                }
                return rows.getString(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code change} on audit_events as the owner, with the append-only trigger off on the event's partition for the transaction. */
    static void changeEvent(UUID eventId, String change, Object... parameters) {
        String partition = eventPartition(eventId);
        asOwner(List.of("ALTER TABLE " + partition + " DISABLE TRIGGER audit_events_no_update_or_delete", change,
                "ALTER TABLE " + partition + " ENABLE TRIGGER audit_events_no_update_or_delete"), parameters);
    }

    /** Runs {@code change} on audit_checkpoints as the owner, the append-only trigger off on the checkpoint's partition. */
    static void changeCheckpoint(UUID chain, long seq, String change, Object... parameters) {
        String partition = checkpointPartition(chain, seq);
        asOwner(List.of("ALTER TABLE " + partition + " DISABLE TRIGGER audit_checkpoints_no_update_or_delete", change,
                "ALTER TABLE " + partition + " ENABLE TRIGGER audit_checkpoints_no_update_or_delete"), parameters);
    }

    /** keys.json holding these keys. */
    static Path keysFile(Path dir, SigningKeys.PublicKey... keys) throws IOException {
        StringBuilder json = new StringBuilder("{\"keys\":[");
        for (int i = 0; i < keys.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"key_id\":\"").append(keys[i].keyId())
                    .append("\",\"algorithm\":\"ed25519\",\"public_key\":\"").append(Base64.getEncoder().encodeToString(keys[i].bytes()))
                    .append("\"}");
        }
        Path file = dir.resolve("keys-" + UUID.randomUUID() + ".json");
        Files.writeString(file, json.append("]}\n"));
        return file;
    }

    /** An export file of {@code chain} as ExportAuditEvents writes it; events of workspaces {@code hidden} accepts as leaf lines. */
    static Path exportFile(Path dir, Written chain, Predicate<String> hidden) throws IOException {
        JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
        StringBuilder out = new StringBuilder();
        try {
            for (int seq = 0; seq < chain.checkpoints().size(); seq++) {
                out.append(printer.print(ExportAuditEventsResponse.newBuilder().setCheckpoint(ExportedCheckpoint.newBuilder()
                        .setChainId(chain.chain().toString()).setSeq(seq).setNote(chain.checkpoints().get(seq).note())
                        .setCursor("c" + seq)))).append('\n');
                List<Map<String, Object>> events = chain.events().get(seq);
                for (int leaf = 0; leaf < events.size(); leaf++) {
                    Map<String, Object> event = events.get(leaf);
                    if (hidden.test((String) event.get("workspace_id"))) {
                        out.append(printer.print(ExportAuditEventsResponse.newBuilder().setLeaf(ExportedLeaf.newBuilder()
                                .setChainId(chain.chain().toString()).setSeq(seq).setLeafIndex(leaf)
                                .setHash(ByteString.copyFrom(Merkle.leafHash(EventEncoding.encode(event))))))).append('\n');
                    } else {
                        Struct.Builder columns = Struct.newBuilder();
                        event.forEach((name, value) -> columns.putFields(name, value instanceof List<?> list
                                ? Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(list.stream()
                                        .map(e -> Value.newBuilder().setStringValue((String) e).build()).toList())).build()
                                : Value.newBuilder().setStringValue((String) value).build()));
                        out.append(printer.print(ExportAuditEventsResponse.newBuilder().setEvent(ExportedEvent.newBuilder()
                                .setChainId(chain.chain().toString()).setSeq(seq).setLeafIndex(leaf).setColumns(columns)))).append('\n');
                    }
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        Path file = dir.resolve("export-" + UUID.randomUUID() + ".jsonl");
        Files.writeString(file, out);
        return file;
    }
}
