package dev.aigov.server.evidence;

import static dev.aigov.db.jooq.Tables.AUDIT_CHECKPOINTS;

import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.SignedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes a sealed batch: its events with PostgreSQL's COPY (text format), every column from its
 * canonical text, with its place in the chain; and its checkpoint. COPY streams the rows as text,
 * which PostgreSQL parses in bulk: a multi-row INSERT would bind one parameter per column per row.
 */
final class AuditRows {
    private static final String STATEMENT = "COPY audit_events ("
            + EventEncoding.COLUMNS.stream().map(EventEncoding.Column::name).collect(Collectors.joining(", "))
            + ", chain_id, chain_seq, leaf_index) FROM STDIN (FORMAT text)";
    private static final String NULL = "\\N";

    private AuditRows() {
    }

    static void write(DSLContext tx, List<Object[]> rows, SignedCheckpoint signed) {
        UUID chain = signed.checkpoint().chain();
        long seq = signed.checkpoint().seq();
        StringBuilder text = new StringBuilder(rows.size() * 1024);
        for (int i = 0; i < rows.size(); i++) {
            Object[] row = rows.get(i);
            for (Object value : row) {
                if (value == null) {
                    text.append(NULL);
                } else if (value instanceof List<?> array) {
                    array(text, array);
                } else {
                    escape(text, (String) value);
                }
                text.append('\t');
            }
            text.append(chain).append('\t').append(seq).append('\t').append(i).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        tx.connection(connection -> {
            CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(STATEMENT);
            try {
                copy.writeToCopy(bytes, 0, bytes.length);
                copy.endCopy();
            } catch (SQLException e) {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
                throw e;
            }
        });
        tx.insertInto(AUDIT_CHECKPOINTS)
                .set(AUDIT_CHECKPOINTS.CHAIN_ID, chain)
                .set(AUDIT_CHECKPOINTS.SEQ, seq)
                .set(AUDIT_CHECKPOINTS.SIGNED_AT, OffsetDateTime.ofInstant(signed.checkpoint().time(), ZoneOffset.UTC))
                .set(AUDIT_CHECKPOINTS.SIZE, signed.checkpoint().size())
                .set(AUDIT_CHECKPOINTS.KEY_ID, signed.checkpoint().keyId())
                .set(AUDIT_CHECKPOINTS.NOTE, signed.note())
                .execute();
    }

    /** An array of text, each element quoted as an array element. */
    private static void array(StringBuilder out, List<?> values) {
        out.append('{');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            // Array syntax quotes the element; COPY's text format then doubles the backslashes.
            escape(out, "\"" + ((String) values.get(i)).replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        out.append('}');
    }

    /** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
    private static void escape(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }
}
