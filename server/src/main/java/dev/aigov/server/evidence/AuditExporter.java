package dev.aigov.server.evidence;

import com.google.protobuf.ByteString;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.aigov.api.v1.ExportAuditEventsResponse;
import dev.aigov.api.v1.ExportedCheckpoint;
import dev.aigov.api.v1.ExportedEvent;
import dev.aigov.api.v1.ExportedLeaf;
import dev.aigov.core.InvalidRequest;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.Merkle;
import dev.aigov.server.storage.Fingerprint;
import dev.aigov.server.storage.Transactions;
import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/**
 * Reads the trail for an export (docs/evidence.md, "Export files"): checkpoint by checkpoint in the
 * order of (signed_at, chain_id, seq), each followed by its events in leaf order, as the records of
 * {@code ExportAuditEvents}. Shared by the RPC (which pulls a record at a time, as fast as its reader
 * takes them), {@code audit export} and the retention's archive (which push them to a {@link Sink}).
 *
 * <p>Memory is bounded: a page of at most {@link #CHECKPOINT_PAGE} checkpoints, and the events of as
 * many of them as make up at most {@link #EVENT_PAGE} events (one checkpoint's, however large), each
 * page read by its own statement. An event a workspace-limited reader does not reach (another
 * workspace's, or one with no workspace) is a {@code leaf}: its leaf hash alone.
 *
 * <p>Checkpoints signed within the last {@link #SETTLE} are left for a later export: a checkpoint is
 * signed before its transaction commits, so one signed just before another may become visible just
 * after it; past the settle time none still commits (the pool's statement timeout is shorter), so a
 * cursor never skips one.
 */
public final class AuditExporter {
    /** Checkpoints read by one statement. */
    public static final int CHECKPOINT_PAGE = 200;
    /** Events read by one statement at most (unless one checkpoint alone has more). */
    public static final int EVENT_PAGE = 2_000;
    /** How old a checkpoint's signature must be before it is exported. */
    public static final Duration SETTLE = Duration.ofSeconds(5);
    /** The reader id the command line and the archive export as: the database's own, every workspace. */
    public static final UUID DATABASE_READER = new UUID(0, 0);

    private static final int HASH_BYTES = 8;
    private static final int CURSOR_BYTES = 8 + 4 + 16 + 8 + HASH_BYTES;
    private static final String EVENT_COLUMNS = EventEncoding.COLUMNS.stream().map(EventEncoding.Column::name)
            .collect(Collectors.joining(", "));

    private final DSLContext dsl;
    private final Clock clock;
    private final Duration settle;

    public AuditExporter(DSLContext dsl, Clock clock) {
        this(dsl, clock, SETTLE);
    }

    /** With another settle time (the archive exports months long settled, and says so with zero). */
    public AuditExporter(DSLContext dsl, Clock clock, Duration settle) {
        this.dsl = dsl;
        this.clock = clock;
        this.settle = settle;
    }

    /**
     * What to export: checkpoints signed in [{@code start}, {@code end}), after {@code cursor}, for a
     * reader ({@code readerId}) reaching {@code workspaces} (empty: every workspace).
     */
    public record Selection(UUID readerId, Optional<Set<String>> workspaces, Optional<Instant> start, Optional<Instant> end,
            String cursor) {
        public Selection {
            workspaces = workspaces.map(Set::copyOf);
            cursor = cursor == null ? "" : cursor;
            if (start.isPresent() && end.isPresent() && !end.get().isAfter(start.get())) {
                throw new InvalidRequest("end_time", "must be after start_time");
            }
        }

        /** Everything, as the database's own reader. */
        public static Selection all(Optional<Instant> start, Optional<Instant> end) {
            return new Selection(DATABASE_READER, Optional.empty(), start, end, "");
        }
    }

    /** Where records go, in order. */
    @FunctionalInterface
    public interface Sink {
        void accept(ExportAuditEventsResponse record) throws java.io.IOException;
    }

    /** What an export wrote. */
    public record Totals(long checkpoints, long events, long leaves) {
    }

    /**
     * What a cursor is bound to, in the encoding of {@link Fingerprint}: purpose {@code audit-export},
     * then uuid(reader), optional(instant(start_time)), optional(instant(end_time)).
     */
    static byte[] filterHash(Selection selection) {
        return Fingerprint.of("audit-export").uuid(selection.readerId()).optionalInstant(selection.start())
                .optionalInstant(selection.end()).digest();
    }

    /** Opens an export; the cursor is checked here (INVALID_ARGUMENT naming {@code cursor}). */
    public Export open(Selection selection) {
        byte[] hash = filterHash(selection);
        Optional<Position> after = decodeCursor(selection.cursor(), hash);
        Instant settled = clock.instant().minus(settle);
        Instant end = selection.end().filter(e -> e.isBefore(settled)).orElse(settled);
        return new Export(selection, hash, after, end);
    }

    /** Exports everything {@code selection} names to {@code sink}. */
    public Totals writeTo(Selection selection, Sink sink) throws java.io.IOException {
        Export export = open(selection);
        for (Optional<ExportAuditEventsResponse> next = export.next(); next.isPresent(); next = export.next()) {
            sink.accept(next.get());
        }
        return export.totals();
    }

    /** A checkpoint's place in the export's order. */
    record Position(Instant signedAt, UUID chainId, long seq) {
    }

    private record CheckpointRow(Position position, int size, String note) {
    }

    /** One export, pulled a record at a time. Not thread-safe: one puller at a time. */
    public final class Export {
        private final Selection selection;
        private final byte[] hash;
        private final Instant end;
        private Optional<Position> after;
        private final Deque<CheckpointRow> checkpoints = new ArrayDeque<>();
        private final Deque<ExportAuditEventsResponse> ready = new ArrayDeque<>();
        private boolean lastPage;
        private long checkpointCount;
        private long eventCount;
        private long leafCount;

        private Export(Selection selection, byte[] hash, Optional<Position> after, Instant end) {
            this.selection = selection;
            this.hash = hash;
            this.after = after;
            this.end = end;
        }

        /** The next record; empty when the export is complete. */
        public Optional<ExportAuditEventsResponse> next() {
            if (ready.isEmpty()) {
                fill();
            }
            ExportAuditEventsResponse record = ready.poll();
            if (record != null) {
                switch (record.getRecordCase()) {
                    case CHECKPOINT -> checkpointCount++;
                    case EVENT -> eventCount++;
                    case LEAF -> leafCount++;
                    default -> {
                    }
                }
            }
            return Optional.ofNullable(record);
        }

        public Totals totals() {
            return new Totals(checkpointCount, eventCount, leafCount);
        }

        private void fill() {
            if (checkpoints.isEmpty() && !lastPage) {
                List<CheckpointRow> page = Transactions.read(dsl, "reading the audit checkpoints for an export",
                        ctx -> ctx.connectionResult(this::readCheckpoints));
                lastPage = page.size() < CHECKPOINT_PAGE;
                checkpoints.addAll(page);
            }
            if (checkpoints.isEmpty()) {
                return;
            }
            List<CheckpointRow> group = new ArrayList<>();
            long events = 0;
            while (!checkpoints.isEmpty() && (group.isEmpty() || events + checkpoints.peek().size() <= EVENT_PAGE)) {
                CheckpointRow row = checkpoints.poll();
                events += row.size();
                group.add(row);
            }
            Map<String, List<ExportAuditEventsResponse>> byCheckpoint = Transactions.read(dsl,
                    "reading the audit events for an export", ctx -> ctx.connectionResult(c -> readEvents(c, group)));
            for (CheckpointRow row : group) {
                String chain = row.position().chainId().toString();
                ready.add(ExportAuditEventsResponse.newBuilder().setCheckpoint(ExportedCheckpoint.newBuilder()
                        .setChainId(chain).setSeq(row.position().seq()).setNote(row.note())
                        .setCursor(encodeCursor(row.position(), hash))).build());
                ready.addAll(byCheckpoint.getOrDefault(chain + "/" + row.position().seq(), List.of()));
            }
            after = Optional.of(group.get(group.size() - 1).position());
        }

        private List<CheckpointRow> readCheckpoints(Connection connection) throws SQLException {
            StringBuilder sql = new StringBuilder("SELECT signed_at, chain_id, seq, size, note FROM audit_checkpoints WHERE signed_at < ?");
            List<Object> parameters = new ArrayList<>();
            parameters.add(utc(end));
            selection.start().ifPresent(start -> {
                sql.append(" AND signed_at >= ?");
                parameters.add(utc(start));
            });
            after.ifPresent(position -> {
                sql.append(" AND (signed_at, chain_id, seq) > (?, ?, ?)");
                parameters.add(utc(position.signedAt()));
                parameters.add(position.chainId());
                parameters.add(position.seq());
            });
            sql.append(" ORDER BY signed_at, chain_id, seq LIMIT ").append(CHECKPOINT_PAGE);
            List<CheckpointRow> rows = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < parameters.size(); i++) {
                    statement.setObject(i + 1, parameters.get(i));
                }
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        rows.add(new CheckpointRow(new Position(result.getObject(1, OffsetDateTime.class).toInstant(),
                                result.getObject(2, UUID.class), result.getLong(3)), result.getInt(4), result.getString(5)));
                    }
                }
            }
            return rows;
        }

        private Map<String, List<ExportAuditEventsResponse>> readEvents(Connection connection, List<CheckpointRow> group)
                throws SQLException {
            Map<String, List<ExportAuditEventsResponse>> byCheckpoint = new LinkedHashMap<>();
            // Per chain, the range of its seqs in the group (an index range scan on each partition); the
            // group's checkpoints alone are kept.
            Map<UUID, long[]> ranges = new LinkedHashMap<>();
            Set<String> wanted = new java.util.HashSet<>();
            for (CheckpointRow row : group) {
                long seq = row.position().seq();
                ranges.merge(row.position().chainId(), new long[]{seq, seq},
                        (a, b) -> new long[]{Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                wanted.add(row.position().chainId() + "/" + seq);
            }
            String sql = "SELECT chain_id, chain_seq, leaf_index, " + EVENT_COLUMNS + " FROM audit_events WHERE "
                    + String.join(" OR ", java.util.Collections.nCopies(ranges.size(), "(chain_id = ? AND chain_seq BETWEEN ? AND ?)"))
                    + " ORDER BY chain_id, chain_seq, leaf_index";
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int at = 1;
                for (Map.Entry<UUID, long[]> range : ranges.entrySet()) {
                    statement.setObject(at++, range.getKey());
                    statement.setLong(at++, range.getValue()[0]);
                    statement.setLong(at++, range.getValue()[1]);
                }
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        String chain = result.getObject(1, UUID.class).toString();
                        long seq = result.getLong(2);
                        if (!wanted.contains(chain + "/" + seq)) {
                            continue;
                        }
                        int leafIndex = result.getInt(3);
                        Map<String, Object> columns = columns(result, 4);
                        Object workspace = columns.get("workspace_id");
                        ExportAuditEventsResponse record;
                        if (selection.workspaces().isEmpty() || (workspace != null && selection.workspaces().get().contains(workspace))) {
                            record = ExportAuditEventsResponse.newBuilder().setEvent(ExportedEvent.newBuilder().setChainId(chain)
                                    .setSeq(seq).setLeafIndex(leafIndex).setColumns(struct(columns))).build();
                        } else {
                            record = ExportAuditEventsResponse.newBuilder().setLeaf(ExportedLeaf.newBuilder().setChainId(chain)
                                    .setSeq(seq).setLeafIndex(leafIndex)
                                    .setHash(ByteString.copyFrom(Merkle.leafHash(EventEncoding.encode(columns))))).build();
                        }
                        byCheckpoint.computeIfAbsent(chain + "/" + seq, key -> new ArrayList<>()).add(record);
                    }
                }
            }
            return byCheckpoint;
        }
    }

    /** Each non-NULL column of the row (from {@code first} on, in {@link EventEncoding#COLUMNS} order), as its canonical text. */
    static Map<String, Object> columns(ResultSet result, int first) throws SQLException {
        Map<String, Object> columns = new LinkedHashMap<>();
        for (int i = 0; i < EventEncoding.COLUMNS.size(); i++) {
            EventEncoding.Column column = EventEncoding.COLUMNS.get(i);
            int at = first + i;
            Object value = switch (column.type()) {
                case TEXT -> result.getString(at);
                case UUID -> Optional.ofNullable(result.getObject(at, UUID.class)).map(EventEncoding::uuid).orElse(null);
                case TIMESTAMP -> Optional.ofNullable(result.getObject(at, OffsetDateTime.class))
                        .map(time -> EventEncoding.timestamp(time.toInstant().truncatedTo(ChronoUnit.MICROS))).orElse(null);
                case INTEGER -> {
                    long number = result.getLong(at);
                    yield result.wasNull() ? null : Long.toString(number);
                }
                case BOOLEAN -> {
                    boolean flag = result.getBoolean(at);
                    yield result.wasNull() ? null : Boolean.toString(flag);
                }
                case ARRAY -> {
                    Array array = result.getArray(at);
                    yield array == null ? null : Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
                }
            };
            if (value != null) {
                columns.put(column.name(), value);
            }
        }
        return columns;
    }

    /** The columns as an export's {@code columns}: a string each, a list of strings for an array. */
    static Struct struct(Map<String, Object> columns) {
        Struct.Builder struct = Struct.newBuilder();
        columns.forEach((name, value) -> {
            if (value instanceof List<?> list) {
                ListValue.Builder elements = ListValue.newBuilder();
                list.forEach(element -> elements.addValues(Value.newBuilder().setStringValue((String) element)));
                struct.putFields(name, Value.newBuilder().setListValue(elements).build());
            } else {
                struct.putFields(name, Value.newBuilder().setStringValue((String) value).build());
            }
        });
        return struct.build();
    }

    /** An export's {@code columns} back as the map {@link EventEncoding#encode(Map)} takes. */
    public static Map<String, Object> columns(Struct struct) {
        Map<String, Object> columns = new LinkedHashMap<>();
        struct.getFieldsMap().forEach((name, value) -> columns.put(name, value.hasListValue()
                ? value.getListValue().getValuesList().stream().map(Value::getStringValue).toList()
                : value.getStringValue()));
        return columns;
    }

    static String encodeCursor(Position position, byte[] filterHash) {
        ByteBuffer buffer = ByteBuffer.allocate(CURSOR_BYTES);
        buffer.putLong(position.signedAt().getEpochSecond()).putInt(position.signedAt().getNano())
                .putLong(position.chainId().getMostSignificantBits()).putLong(position.chainId().getLeastSignificantBits())
                .putLong(position.seq()).put(filterHash, 0, HASH_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    static Optional<Position> decodeCursor(String cursor, byte[] filterHash) {
        if (cursor.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("cursor", "is not a cursor this service issued");
        }
        if (bytes.length != CURSOR_BYTES) {
            throw new InvalidRequest("cursor", "is not a cursor this service issued");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long seconds = buffer.getLong();
        int nanos = buffer.getInt();
        UUID chain = new UUID(buffer.getLong(), buffer.getLong());
        long seq = buffer.getLong();
        byte[] hash = new byte[HASH_BYTES];
        buffer.get(hash);
        if (!Arrays.equals(hash, Arrays.copyOf(filterHash, HASH_BYTES))) {
            throw new InvalidRequest("cursor", "belongs to an export with other bounds or another reader; start again without it");
        }
        if (nanos < 0 || nanos > 999_999_999 || seconds < -62_135_596_800L || seconds > 253_402_300_799L || seq < 0) {
            throw new InvalidRequest("cursor", "is not a cursor this service issued");
        }
        return Optional.of(new Position(Instant.ofEpochSecond(seconds, nanos), chain, seq));
    }

    /**
     * A bound as PostgreSQL holds it (microseconds): rounded up, which keeps "at or after start" and
     * "before end" exact, since every recorded time is whole microseconds.
     */
    private static OffsetDateTime utc(Instant instant) {
        Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
        return OffsetDateTime.ofInstant(micros.equals(instant) ? micros : micros.plus(1, ChronoUnit.MICROS), ZoneOffset.UTC);
    }
}
