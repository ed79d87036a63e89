package dev.aigov.server.preview;

import static dev.aigov.db.jooq.Tables.AUDIT_EVENTS;

import dev.aigov.core.Actor;
import dev.aigov.core.ActorKind;
import dev.aigov.core.ControlState;
import dev.aigov.core.DataClassification;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.Outcome;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.PolicyStatus;
import dev.aigov.core.ProviderClass;
import dev.aigov.core.Vocabulary;
import dev.aigov.server.audit.AuditRepository;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jooq.Condition;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;

/**
 * The recorded decisions of a window, read oldest first through a server-side cursor: PostgreSQL
 * sends {@link #FETCH_SIZE} rows at a time (inside a transaction, the driver's fetch size is a
 * portal), so memory stays bounded whatever the window holds.
 */
final class DecisionTrail {
    /** Rows per round trip: large enough that the round trips cost little, small enough to stay a few MB. */
    static final int FETCH_SIZE = 5_000;

    private static final List<Field<?>> FIELDS = List.of(AUDIT_EVENTS.DECISION_ID, AUDIT_EVENTS.OCCURRED_AT,
            AUDIT_EVENTS.WORKSPACE_ID, AUDIT_EVENTS.TENANT_ID, AUDIT_EVENTS.USE_CASE, AUDIT_EVENTS.PROVIDER_CLASS,
            AUDIT_EVENTS.DATA_CLASSIFICATIONS, AUDIT_EVENTS.SOURCE_FAMILY, AUDIT_EVENTS.ACTOR_ID, AUDIT_EVENTS.ACTOR_KIND,
            AUDIT_EVENTS.CALLER_SURFACE, AUDIT_EVENTS.OUTCOME, AUDIT_EVENTS.POLICY_MODE, AUDIT_EVENTS.POLICY_VERSION,
            AUDIT_EVENTS.CONTROL_STATE, AUDIT_EVENTS.CONTROL_VERSION);

    private DecisionTrail() {
    }

    /**
     * Hands each decision recorded in [{@code start}, {@code end}) (of {@code workspace}, or of every
     * workspace) to {@code visit}, oldest first, until it returns false. Must run in a transaction.
     */
    static void read(DSLContext tx, Optional<String> workspace, Instant start, Instant end, Predicate<TrailDecision> visit) {
        List<Condition> where = new ArrayList<>(List.of(AUDIT_EVENTS.KIND.eq(AuditRepository.DECISION),
                AUDIT_EVENTS.OCCURRED_AT.ge(utc(start)), AUDIT_EVENTS.OCCURRED_AT.lt(utc(end))));
        workspace.ifPresent(ws -> where.add(AUDIT_EVENTS.WORKSPACE_ID.eq(ws)));
        try (Cursor<Record> rows = tx.select(FIELDS).from(AUDIT_EVENTS).where(where)
                .orderBy(AUDIT_EVENTS.OCCURRED_AT.asc(), AUDIT_EVENTS.EVENT_ID.asc())
                .fetchSize(FETCH_SIZE)
                .fetchLazy()) {
            for (Record row : rows) {
                if (!visit.test(decision(row))) {
                    return;
                }
            }
        }
    }

    private static TrailDecision decision(Record row) {
        DecisionRequest request = new DecisionRequest(row.get(AUDIT_EVENTS.WORKSPACE_ID), nullToEmpty(row.get(AUDIT_EVENTS.TENANT_ID)),
                row.get(AUDIT_EVENTS.USE_CASE), Vocabulary.fromWord(ProviderClass.class, row.get(AUDIT_EVENTS.PROVIDER_CLASS)),
                classifications(row.get(AUDIT_EVENTS.DATA_CLASSIFICATIONS)), row.get(AUDIT_EVENTS.SOURCE_FAMILY),
                new Actor(row.get(AUDIT_EVENTS.ACTOR_ID), Vocabulary.fromWord(ActorKind.class, row.get(AUDIT_EVENTS.ACTOR_KIND))),
                nullToEmpty(row.get(AUDIT_EVENTS.CALLER_SURFACE)), Optional.empty());
        return new TrailDecision(row.get(AUDIT_EVENTS.DECISION_ID), row.get(AUDIT_EVENTS.OCCURRED_AT).toInstant(), request,
                Vocabulary.fromWord(Outcome.class, row.get(AUDIT_EVENTS.OUTCOME)),
                new PolicyStatus(Vocabulary.fromWord(PolicyMode.class, row.get(AUDIT_EVENTS.POLICY_MODE)),
                        row.get(AUDIT_EVENTS.POLICY_VERSION)),
                Vocabulary.fromWord(ControlState.class, row.get(AUDIT_EVENTS.CONTROL_STATE)) == ControlState.PAUSED,
                row.get(AUDIT_EVENTS.CONTROL_VERSION));
    }

    private static List<DataClassification> classifications(String[] words) {
        List<DataClassification> values = new ArrayList<>(words.length);
        for (String word : words) {
            values.add(Vocabulary.fromWord(DataClassification.class, word));
        }
        return values;
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
