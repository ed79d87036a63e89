package dev.aigov.evidence;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An audit event's leaf encoding, {@code aigov-event/v1} (docs/evidence.md): a header line, then
 * {@code column=value} for each non-NULL column in {@link #COLUMNS} order. Values are given in
 * their canonical text: a {@link String} for a scalar, a {@code List<String>} for an array.
 */
public final class EventEncoding {
    /** The first line of every encoding. */
    public static final String HEADER = "aigov-event/v1";

    /** A column's type, which says how its canonical text is written. */
    public enum Type {
        TEXT, UUID, TIMESTAMP, INTEGER, BOOLEAN, ARRAY
    }

    /** One column of the encoding. */
    public record Column(String name, Type type) {
    }

    /** Every column, in encoding order. */
    public static final List<Column> COLUMNS = List.of(
            new Column("event_id", Type.UUID), new Column("occurred_at", Type.TIMESTAMP), new Column("kind", Type.TEXT),
            new Column("workspace_id", Type.TEXT), new Column("tenant_id", Type.TEXT), new Column("principal", Type.TEXT),
            new Column("actor_id", Type.TEXT), new Column("actor_kind", Type.TEXT), new Column("caller_surface", Type.TEXT),
            new Column("client_version", Type.TEXT), new Column("request_id", Type.UUID), new Column("decision_id", Type.UUID),
            new Column("use_case", Type.TEXT), new Column("provider_class", Type.TEXT),
            new Column("data_classifications", Type.ARRAY), new Column("source_family", Type.TEXT),
            new Column("outcome", Type.TEXT), new Column("reason", Type.TEXT), new Column("all_reasons", Type.ARRAY),
            new Column("rejected_classifications", Type.ARRAY), new Column("policy_mode", Type.TEXT),
            new Column("policy_version", Type.INTEGER), new Column("control_state", Type.TEXT),
            new Column("control_version", Type.INTEGER), new Column("message", Type.TEXT),
            new Column("control_key", Type.TEXT),
            new Column("before_value", Type.TEXT), new Column("after_value", Type.TEXT),
            new Column("before_version", Type.INTEGER), new Column("after_version", Type.INTEGER),
            new Column("changed", Type.BOOLEAN), new Column("change_reason", Type.TEXT), new Column("method", Type.TEXT),
            new Column("status_code", Type.TEXT), new Column("error_reason", Type.TEXT), new Column("capability", Type.TEXT),
            new Column("peer", Type.TEXT), new Column("repeat_count", Type.INTEGER),
            new Column("first_occurred_at", Type.TIMESTAMP), new Column("last_occurred_at", Type.TIMESTAMP),
            new Column("preview_window_start", Type.TIMESTAMP), new Column("preview_window_end", Type.TIMESTAMP),
            new Column("preview_replayed", Type.INTEGER), new Column("preview_allow_to_block", Type.INTEGER),
            new Column("preview_block_to_allow", Type.INTEGER), new Column("preview_cut_short", Type.BOOLEAN),
            new Column("catalog_digest", Type.TEXT), new Column("catalog_label", Type.TEXT));

    private static final Map<String, Integer> POSITION;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    static {
        Map<String, Integer> position = new LinkedHashMap<>();
        for (int i = 0; i < COLUMNS.size(); i++) {
            position.put(COLUMNS.get(i).name(), i);
        }
        POSITION = Collections.unmodifiableMap(position);
    }

    private EventEncoding() {
    }

    /** The column of this name, or an {@link IllegalArgumentException} naming it. */
    public static Column column(String name) {
        Integer at = POSITION.get(name);
        if (at == null) {
            throw new IllegalArgumentException("no audit event column is named " + name);
        }
        return COLUMNS.get(at);
    }

    /**
     * Encodes an event given as column name to canonical value ({@code String}, or
     * {@code List<String>} for an array); a missing or null value is a NULL column.
     */
    public static byte[] encode(Map<String, ?> columns) {
        Object[] values = new Object[COLUMNS.size()];
        for (Map.Entry<String, ?> entry : columns.entrySet()) {
            Integer at = POSITION.get(entry.getKey());
            if (at == null) {
                throw new IllegalArgumentException("no audit event column is named " + entry.getKey());
            }
            values[at] = entry.getValue();
        }
        return encode(values);
    }

    /** Encodes an event given as canonical values in {@link #COLUMNS} order (null: NULL). */
    public static byte[] encode(Object[] values) {
        if (values.length != COLUMNS.size()) {
            throw new IllegalArgumentException("an event has " + COLUMNS.size() + " columns, not " + values.length);
        }
        StringBuilder out = new StringBuilder(512).append(HEADER).append('\n');
        for (int i = 0; i < values.length; i++) {
            Object value = values[i];
            if (value == null) {
                continue;
            }
            Column column = COLUMNS.get(i);
            out.append(column.name()).append('=');
            if (column.type() == Type.ARRAY) {
                if (!(value instanceof List<?> list)) {
                    throw new IllegalArgumentException(column.name() + " is an array column: give a List<String>");
                }
                out.append('[');
                for (int j = 0; j < list.size(); j++) {
                    if (j > 0) {
                        out.append(',');
                    }
                    escape(out, (String) list.get(j), true);
                }
                out.append(']');
            } else {
                if (!(value instanceof String text)) {
                    throw new IllegalArgumentException(column.name() + " takes its canonical text, a String");
                }
                escape(out, text, false);
            }
            out.append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads an encoding back into column name to canonical value, in column order. Refuses
     * anything {@link #encode} would not have written (so that one event has one encoding).
     */
    public static Map<String, Object> decode(byte[] encoding) {
        String text = new String(encoding, StandardCharsets.UTF_8);
        if (!text.startsWith(HEADER + "\n")) {
            throw new IllegalArgumentException("not an " + HEADER + " encoding");
        }
        Map<String, Object> columns = new LinkedHashMap<>();
        int last = -1;
        int at = HEADER.length() + 1;
        while (at < text.length()) {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                throw new IllegalArgumentException("the encoding's last line has no newline");
            }
            String line = text.substring(at, end);
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("line without '=': " + line);
            }
            String name = line.substring(0, equals);
            Integer position = POSITION.get(name);
            if (position == null || position <= last) {
                throw new IllegalArgumentException("column " + name + " is unknown or out of order");
            }
            last = position;
            String value = line.substring(equals + 1);
            columns.put(name, COLUMNS.get(position).type() == Type.ARRAY ? unescapeArray(name, value) : unescape(value, false));
            at = end + 1;
        }
        if (!java.util.Arrays.equals(encode(columns), encoding)) {
            throw new IllegalArgumentException("not the canonical encoding of its columns");
        }
        return columns;
    }

    /** A timestamp's canonical text; refuses one finer than a microsecond, which PostgreSQL would round. */
    public static String timestamp(Instant instant) {
        if (!instant.truncatedTo(ChronoUnit.MICROS).equals(instant)) {
            throw new IllegalArgumentException("timestamps are recorded in whole microseconds: " + instant);
        }
        return TIMESTAMP.format(instant);
    }

    /** Reads a timestamp's canonical text. */
    public static Instant parseTimestamp(String text) {
        try {
            Instant instant = Instant.from(TIMESTAMP.parse(text));
            if (!TIMESTAMP.format(instant).equals(text)) {
                throw new IllegalArgumentException("not a canonical timestamp: " + text);
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a canonical timestamp: " + text, e);
        }
    }

    /** A uuid's canonical text. */
    public static String uuid(UUID uuid) {
        return uuid.toString();
    }

    private static void escape(StringBuilder out, String value, boolean element) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case ',', ']' -> {
                    if (element) {
                        out.append('\\');
                    }
                    out.append(c);
                }
                default -> out.append(c);
            }
        }
    }

    private static String unescape(String value, boolean element) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i == value.length()) {
                throw new IllegalArgumentException("a value ends in a lone backslash");
            }
            char next = value.charAt(i);
            switch (next) {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case ',', ']' -> {
                    if (!element) {
                        throw new IllegalArgumentException("\\" + next + " outside an array");
                    }
                    out.append(next);
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + next);
            }
        }
        return out.toString();
    }

    private static List<String> unescapeArray(String name, String value) {
        if (value.length() < 2 || value.charAt(0) != '[' || value.charAt(value.length() - 1) != ']') {
            throw new IllegalArgumentException(name + " is not an array: " + value);
        }
        List<String> elements = new ArrayList<>();
        String inner = value.substring(1, value.length() - 1);
        if (inner.isEmpty()) {
            return List.copyOf(elements);
        }
        int start = 0;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ',') {
                elements.add(unescape(inner.substring(start, i), true));
                start = i + 1;
            }
        }
        elements.add(unescape(inner.substring(start), true));
        return List.copyOf(elements);
    }
}
