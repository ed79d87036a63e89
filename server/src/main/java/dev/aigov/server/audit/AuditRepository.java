package dev.aigov.server.audit;

import static dev.aigov.db.jooq.Tables.AUDIT_EVENTS;

import dev.aigov.core.Actor;
import dev.aigov.core.ActorKind;
import dev.aigov.core.BlockReason;
import dev.aigov.core.CatalogVersion;
import dev.aigov.core.ControlState;
import dev.aigov.core.DataClassification;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.PolicyStatus;
import dev.aigov.core.ProviderClass;
import dev.aigov.core.Vocabulary;
import dev.aigov.db.jooq.tables.records.AuditEventsRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Reads the audit trail (evidence.Evidence writes it, with its checkpoints). Rows are only ever inserted. */
public final class AuditRepository {
    /** The kind column of a decision event. */
    public static final String DECISION = "ai_decision";
    public static final String POLICY_SET = "workspace_policy_set";
    public static final String CONTROL_SET = "execution_control_set";
    public static final String MUTATION_DENIED = "mutation_denied";
    public static final String CHANGE_PREVIEWED = "change_previewed";

    private AuditRepository() {
    }

    /** The decision recorded by this event, for a replayed request_id. */
    public static Optional<AuditEvent.DecisionMade> findDecision(DSLContext tx, UUID eventId, Instant occurredAt) {
        return tx.selectFrom(AUDIT_EVENTS)
                .where(AUDIT_EVENTS.OCCURRED_AT.eq(utc(occurredAt)))
                .and(AUDIT_EVENTS.EVENT_ID.eq(eventId))
                .and(AUDIT_EVENTS.KIND.eq(DECISION))
                .fetchOptional()
                .map(row -> (AuditEvent.DecisionMade) fromRow(row));
    }

    /** One page of events matching {@code query}, newest first; one more than asked tells whether more exist. */
    public static List<AuditEvent> list(DSLContext dsl, AuditQuery query) {
        List<Condition> where = new ArrayList<>();
        query.workspaceId().ifPresent(ws -> where.add(AUDIT_EVENTS.WORKSPACE_ID.eq(ws)));
        query.reachableWorkspaces().ifPresent(ws -> where.add(AUDIT_EVENTS.WORKSPACE_ID.in(ws)));
        query.kind().ifPresent(kind -> where.add(AUDIT_EVENTS.KIND.eq(kindWord(kind))));
        query.outcome().ifPresent(outcome -> where.add(AUDIT_EVENTS.OUTCOME.eq(outcome.word())));
        query.startTime().ifPresent(start -> where.add(AUDIT_EVENTS.OCCURRED_AT.ge(bound(start))));
        query.endTime().ifPresent(end -> where.add(AUDIT_EVENTS.OCCURRED_AT.lt(bound(end))));
        query.after().ifPresent(cursor -> where.add(DSL.row(AUDIT_EVENTS.OCCURRED_AT, AUDIT_EVENTS.EVENT_ID)
                .lt(utc(cursor.occurredAt()), cursor.eventId())));
        return dsl.selectFrom(AUDIT_EVENTS)
                .where(where)
                .orderBy(AUDIT_EVENTS.OCCURRED_AT.desc(), AUDIT_EVENTS.EVENT_ID.desc())
                .limit(query.pageSize() + 1)
                .fetch(AuditRepository::fromRow);
    }

    public static String kindWord(AuditQuery.Kind kind) {
        return switch (kind) {
            case AI_DECISION -> DECISION;
            case WORKSPACE_POLICY_SET -> POLICY_SET;
            case EXECUTION_CONTROL_SET -> CONTROL_SET;
            case MUTATION_DENIED -> MUTATION_DENIED;
            case CHANGE_PREVIEWED -> CHANGE_PREVIEWED;
        };
    }

    /** The event a row records. */
    public static AuditEvent fromRow(AuditEventsRecord row) {
        AuditEvent.Header header = new AuditEvent.Header(row.getEventId(), row.getOccurredAt().toInstant(),
                nullToEmpty(row.getWorkspaceId()), nullToEmpty(row.getPrincipal()), Optional.ofNullable(row.getRequestId()));
        return switch (row.getKind()) {
            case DECISION -> {
                DecisionRequest request = new DecisionRequest(row.getWorkspaceId(), nullToEmpty(row.getTenantId()),
                        row.getUseCase(), Vocabulary.fromWord(ProviderClass.class, row.getProviderClass()),
                        values(DataClassification.class, row.getDataClassifications()), row.getSourceFamily(),
                        new Actor(row.getActorId(), Vocabulary.fromWord(ActorKind.class, row.getActorKind())),
                        nullToEmpty(row.getCallerSurface()), Optional.ofNullable(row.getRequestId()),
                        nullToEmpty(row.getClientVersion()));
                Decision decision = new Decision(values(BlockReason.class, row.getAllReasons()),
                        values(DataClassification.class, row.getRejectedClassifications()),
                        Vocabulary.fromWord(PolicyMode.class, row.getPolicyMode()), row.getPolicyVersion(),
                        Vocabulary.fromWord(ControlState.class, row.getControlState()), row.getControlVersion(),
                        row.getMessage(), Optional.ofNullable(row.getCatalogDigest())
                                .map(digest -> new CatalogVersion(digest, Optional.ofNullable(row.getCatalogLabel()))),
                        List.of(), List.of());
                yield new AuditEvent.DecisionMade(header, request, row.getDecisionId(), decision);
            }
            case POLICY_SET -> new AuditEvent.PolicySet(header,
                    new PolicyStatus(Vocabulary.fromWord(PolicyMode.class, row.getBeforeValue()), row.getBeforeVersion()),
                    new PolicyStatus(Vocabulary.fromWord(PolicyMode.class, row.getAfterValue()), row.getAfterVersion()),
                    row.getChanged(), nullToEmpty(row.getChangeReason()));
            case CONTROL_SET -> new AuditEvent.ControlSet(header, row.getControlKey(),
                    Vocabulary.fromWord(ControlState.class, row.getBeforeValue()),
                    Vocabulary.fromWord(ControlState.class, row.getAfterValue()),
                    row.getAfterVersion(), row.getChanged(), nullToEmpty(row.getChangeReason()));
            case MUTATION_DENIED -> new AuditEvent.MutationDenied(header, row.getMethod(), row.getStatusCode(),
                    row.getErrorReason(), nullToEmpty(row.getCapability()), nullToEmpty(row.getPeer()),
                    row.getRepeatCount() == null ? 0 : row.getRepeatCount(),
                    Optional.ofNullable(row.getFirstOccurredAt()).map(OffsetDateTime::toInstant),
                    Optional.ofNullable(row.getLastOccurredAt()).map(OffsetDateTime::toInstant));
            case CHANGE_PREVIEWED -> {
                boolean control = row.getControlKey() != null;
                yield new AuditEvent.ChangePreviewed(header, row.getMethod(), nullToEmpty(row.getControlKey()),
                        control ? Optional.empty() : Optional.of(Vocabulary.fromWord(PolicyMode.class, row.getAfterValue())),
                        control ? Optional.of(Vocabulary.fromWord(ControlState.class, row.getAfterValue())) : Optional.empty(),
                        row.getPreviewWindowStart().toInstant(), row.getPreviewWindowEnd().toInstant(), row.getPreviewReplayed(),
                        row.getPreviewAllowToBlock(), row.getPreviewBlockToAllow(), row.getPreviewCutShort());
            }
            default -> throw new IllegalStateException("audit event " + row.getEventId() + " has unknown kind " + row.getKind());
        };
    }

    /**
     * A time-range bound as PostgreSQL can hold it. It keeps microseconds and would round a finer
     * bound to the nearest one, moving events across it; every recorded time is whole microseconds,
     * so rounding the bound up keeps "at or after start" and "before end" exact.
     */
    private static OffsetDateTime bound(Instant instant) {
        Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
        return utc(micros.equals(instant) ? micros : micros.plus(1, ChronoUnit.MICROS));
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static <E extends Enum<E>> List<E> values(Class<E> type, String[] words) {
        return words == null ? List.of() : Arrays.stream(words).map(word -> Vocabulary.fromWord(type, word)).toList();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
