package dev.aigov.server.evaluation.commit;

import static dev.aigov.db.jooq.Tables.AUDIT_EVENTS;

import dev.aigov.core.BlockReason;
import dev.aigov.core.CatalogVersion;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.Vocabulary;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditRepository;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Appends decision events with PostgreSQL's COPY (text format): the group-commit writer's bulk
 * path. COPY streams the rows as text, which PostgreSQL parses in bulk; a multi-row INSERT would
 * render and bind one parameter per column of {@link #COLUMNS} for every row, most of the writer's CPU.
 * The statement is rendered by jOOQ from the generated table, so a renamed column fails the build.
 */
final class DecisionCopy {
    private static final List<Field<?>> COLUMNS = List.of(
            AUDIT_EVENTS.EVENT_ID, AUDIT_EVENTS.OCCURRED_AT, AUDIT_EVENTS.KIND, AUDIT_EVENTS.WORKSPACE_ID,
            AUDIT_EVENTS.TENANT_ID, AUDIT_EVENTS.PRINCIPAL, AUDIT_EVENTS.ACTOR_ID, AUDIT_EVENTS.ACTOR_KIND,
            AUDIT_EVENTS.CALLER_SURFACE, AUDIT_EVENTS.REQUEST_ID, AUDIT_EVENTS.DECISION_ID, AUDIT_EVENTS.USE_CASE,
            AUDIT_EVENTS.PROVIDER_CLASS, AUDIT_EVENTS.DATA_CLASSIFICATIONS, AUDIT_EVENTS.SOURCE_FAMILY,
            AUDIT_EVENTS.OUTCOME, AUDIT_EVENTS.REASON, AUDIT_EVENTS.ALL_REASONS, AUDIT_EVENTS.REJECTED_CLASSIFICATIONS,
            AUDIT_EVENTS.POLICY_MODE, AUDIT_EVENTS.POLICY_VERSION, AUDIT_EVENTS.CONTROL_STATE, AUDIT_EVENTS.CONTROL_VERSION,
            AUDIT_EVENTS.MESSAGE, AUDIT_EVENTS.CLIENT_VERSION, AUDIT_EVENTS.CATALOG_DIGEST, AUDIT_EVENTS.CATALOG_LABEL);
    private static final String STATEMENT = "COPY " + DSL.using(SQLDialect.POSTGRES).render(AUDIT_EVENTS)
            + " (" + COLUMNS.stream().map(field -> DSL.using(SQLDialect.POSTGRES).render(field.getUnqualifiedName()))
                    .collect(Collectors.joining(", "))
            + ") FROM STDIN (FORMAT text)";
    private static final String NULL = "\\N";

    private DecisionCopy() {
    }

    /** Appends the events in the transaction {@code tx}, in one COPY. */
    static void append(DSLContext tx, List<AuditEvent.DecisionMade> events) {
        if (events.isEmpty()) {
            return;
        }
        StringBuilder rows = new StringBuilder(events.size() * 1024);
        for (AuditEvent.DecisionMade event : events) {
            row(rows, event);
        }
        byte[] bytes = rows.toString().getBytes(StandardCharsets.UTF_8);
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
    }

    private static void row(StringBuilder out, AuditEvent.DecisionMade event) {
        AuditEvent.Header header = event.header();
        DecisionRequest request = event.request();
        Decision decision = event.decision();
        text(out, header.eventId().toString()).append('\t');
        text(out, DateTimeFormatter.ISO_INSTANT.format(header.occurredAt())).append('\t');
        text(out, AuditRepository.DECISION).append('\t');
        optional(out, header.workspaceId()).append('\t');
        optional(out, request.tenantId()).append('\t');
        optional(out, header.principal()).append('\t');
        text(out, request.actor().id()).append('\t');
        text(out, request.actor().kind().word()).append('\t');
        optional(out, request.callerSurface()).append('\t');
        optional(out, header.requestId().map(Object::toString).orElse("")).append('\t');
        text(out, event.decisionId().toString()).append('\t');
        text(out, request.useCase()).append('\t');
        text(out, request.providerClass().word()).append('\t');
        array(out, request.dataClassifications()).append('\t');
        text(out, request.sourceFamily()).append('\t');
        text(out, decision.outcome().word()).append('\t');
        optional(out, decision.reason().map(BlockReason::word).orElse("")).append('\t');
        array(out, decision.allReasons()).append('\t');
        array(out, decision.rejectedClassifications()).append('\t');
        text(out, decision.effectivePolicyMode().word()).append('\t');
        out.append(decision.policyVersion()).append('\t');
        text(out, decision.executionState().word()).append('\t');
        out.append(decision.controlVersion()).append('\t');
        text(out, decision.message()).append('\t');
        optional(out, request.clientVersion()).append('\t');
        optional(out, decision.catalog().map(CatalogVersion::digest).orElse("")).append('\t');
        optional(out, decision.catalog().flatMap(CatalogVersion::label).orElse("")).append('\n');
    }

    /** An array of vocabulary words, each quoted as an array element. */
    private static StringBuilder array(StringBuilder out, List<? extends Enum<?>> values) {
        out.append('{');
        boolean first = true;
        for (Enum<?> value : values) {
            if (!first) {
                out.append(',');
            }
            first = false;
            // Array syntax quotes the element; COPY's text format then doubles the backslashes.
            text(out, "\"" + Vocabulary.word(value).replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        return out.append('}');
    }

    private static StringBuilder optional(StringBuilder out, String value) {
        return value == null || value.isEmpty() ? out.append(NULL) : text(out, value);
    }

    /** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
    private static StringBuilder text(StringBuilder out, String value) {
        if (!needsEscape(value)) {
            return out.append(value); // ids and words: the common case, copied whole
        }
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
        return out;
    }

    private static boolean needsEscape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return false;
    }
}
