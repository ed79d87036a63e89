package dev.aigov.server.control;

import static dev.aigov.db.jooq.Tables.CONTROL_ACTIVATIONS;
import static dev.aigov.db.jooq.Tables.EXECUTION_CONTROLS;

import dev.aigov.core.ControlState;
import dev.aigov.core.Vocabulary;
import dev.aigov.db.jooq.tables.records.ControlActivationsRecord;
import dev.aigov.db.jooq.tables.records.ExecutionControlsRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Execution controls: the state in force per key and scope, and the history of every change. */
public final class ExecutionControlRepository {
    private ExecutionControlRepository() {
    }

    /** Where a history page ended. */
    public record HistoryCursor(Instant changedAt, long activationId) {
    }

    /** One change, with the id that orders changes made at the same instant. */
    public record Activation(long activationId, ExecutionControl control) {
    }

    public static ExecutionControl current(DSLContext dsl, String controlKey, String workspaceId) {
        return dsl.selectFrom(EXECUTION_CONTROLS)
                .where(EXECUTION_CONTROLS.CONTROL_KEY.eq(controlKey))
                .and(EXECUTION_CONTROLS.WORKSPACE_ID.eq(workspaceId))
                .fetchOptional()
                .map(ExecutionControlRepository::fromRow)
                .orElseGet(() -> ExecutionControl.neverChanged(controlKey, workspaceId));
    }

    /** How many workspaces have this control paused at their own scope. */
    public static int countPausedWorkspaces(DSLContext dsl, String controlKey) {
        return dsl.fetchCount(EXECUTION_CONTROLS, EXECUTION_CONTROLS.CONTROL_KEY.eq(controlKey)
                .and(EXECUTION_CONTROLS.STATE.eq(Vocabulary.word(ControlState.PAUSED)))
                .and(EXECUTION_CONTROLS.WORKSPACE_ID.ne("")));
    }

    /** The global control and this workspace's control, in one round trip. */
    public static List<ExecutionControl> globalAndWorkspace(DSLContext dsl, String controlKey, String workspaceId) {
        List<ExecutionControl> rows = dsl.selectFrom(EXECUTION_CONTROLS)
                .where(EXECUTION_CONTROLS.CONTROL_KEY.eq(controlKey))
                .and(EXECUTION_CONTROLS.WORKSPACE_ID.in("", workspaceId))
                .fetch(ExecutionControlRepository::fromRow);
        ExecutionControl global = rows.stream().filter(ExecutionControl::global).findFirst()
                .orElseGet(() -> ExecutionControl.neverChanged(controlKey, ""));
        ExecutionControl workspace = rows.stream().filter(row -> row.workspaceId().equals(workspaceId) && !row.global()).findFirst()
                .orElseGet(() -> ExecutionControl.neverChanged(controlKey, workspaceId));
        return List.of(global, workspace);
    }

    static Optional<ExecutionControl> lockCurrent(DSLContext tx, String controlKey, String workspaceId) {
        return tx.selectFrom(EXECUTION_CONTROLS)
                .where(EXECUTION_CONTROLS.CONTROL_KEY.eq(controlKey))
                .and(EXECUTION_CONTROLS.WORKSPACE_ID.eq(workspaceId))
                .forUpdate()
                .fetchOptional()
                .map(ExecutionControlRepository::fromRow);
    }

    static ExecutionControl atVersion(DSLContext tx, String controlKey, String workspaceId, long version) {
        if (version == 0) {
            return ExecutionControl.neverChanged(controlKey, workspaceId);
        }
        return fromActivation(tx.selectFrom(CONTROL_ACTIVATIONS)
                .where(CONTROL_ACTIVATIONS.CONTROL_KEY.eq(controlKey))
                .and(CONTROL_ACTIVATIONS.WORKSPACE_ID.eq(workspaceId))
                .and(CONTROL_ACTIVATIONS.VERSION.eq(version))
                .fetchSingle());
    }

    /** Writes a change: the state in force and its history entry. False when a concurrent first write won. */
    static boolean save(DSLContext tx, ExecutionControl control, boolean first, Optional<UUID> requestId) {
        OffsetDateTime at = OffsetDateTime.ofInstant(control.changedAt().orElseThrow(), ZoneOffset.UTC);
        String reason = control.reason().isEmpty() ? null : control.reason();
        if (first) {
            int inserted = tx.insertInto(EXECUTION_CONTROLS)
                    .set(EXECUTION_CONTROLS.CONTROL_KEY, control.controlKey())
                    .set(EXECUTION_CONTROLS.WORKSPACE_ID, control.workspaceId())
                    .set(EXECUTION_CONTROLS.STATE, control.state().word())
                    .set(EXECUTION_CONTROLS.REASON, reason)
                    .set(EXECUTION_CONTROLS.VERSION, control.version())
                    .set(EXECUTION_CONTROLS.CHANGED_AT, at)
                    .set(EXECUTION_CONTROLS.CHANGED_BY, control.changedBy())
                    .onConflictDoNothing()
                    .execute();
            if (inserted == 0) {
                return false;
            }
        } else {
            tx.update(EXECUTION_CONTROLS)
                    .set(EXECUTION_CONTROLS.STATE, control.state().word())
                    .set(EXECUTION_CONTROLS.REASON, reason)
                    .set(EXECUTION_CONTROLS.VERSION, control.version())
                    .set(EXECUTION_CONTROLS.CHANGED_AT, at)
                    .set(EXECUTION_CONTROLS.CHANGED_BY, control.changedBy())
                    .where(EXECUTION_CONTROLS.CONTROL_KEY.eq(control.controlKey()))
                    .and(EXECUTION_CONTROLS.WORKSPACE_ID.eq(control.workspaceId()))
                    .execute();
        }
        tx.insertInto(CONTROL_ACTIVATIONS)
                .set(CONTROL_ACTIVATIONS.CONTROL_KEY, control.controlKey())
                .set(CONTROL_ACTIVATIONS.WORKSPACE_ID, control.workspaceId())
                .set(CONTROL_ACTIVATIONS.STATE, control.state().word())
                .set(CONTROL_ACTIVATIONS.REASON, reason)
                .set(CONTROL_ACTIVATIONS.VERSION, control.version())
                .set(CONTROL_ACTIVATIONS.CHANGED_AT, at)
                .set(CONTROL_ACTIVATIONS.CHANGED_BY, control.changedBy())
                .set(CONTROL_ACTIVATIONS.REQUEST_ID, requestId.orElse(null))
                .execute();
        return true;
    }

    /** Changes newest first; one more than {@code limit} tells whether more exist. */
    static List<Activation> history(DSLContext dsl, String controlKey, Optional<String> workspaceId, int limit,
            Optional<HistoryCursor> after) {
        Condition where = CONTROL_ACTIVATIONS.CONTROL_KEY.eq(controlKey);
        if (workspaceId.isPresent()) {
            where = where.and(CONTROL_ACTIVATIONS.WORKSPACE_ID.eq(workspaceId.get()));
        }
        if (after.isPresent()) {
            where = where.and(DSL.row(CONTROL_ACTIVATIONS.CHANGED_AT, CONTROL_ACTIVATIONS.ACTIVATION_ID)
                    .lt(OffsetDateTime.ofInstant(after.get().changedAt(), ZoneOffset.UTC), after.get().activationId()));
        }
        return dsl.selectFrom(CONTROL_ACTIVATIONS)
                .where(where)
                .orderBy(CONTROL_ACTIVATIONS.CHANGED_AT.desc(), CONTROL_ACTIVATIONS.ACTIVATION_ID.desc())
                .limit(limit + 1)
                .fetch(row -> new Activation(row.getActivationId(), fromActivation(row)));
    }

    private static ExecutionControl fromRow(ExecutionControlsRecord row) {
        return new ExecutionControl(row.getControlKey(), row.getWorkspaceId(), Vocabulary.fromWord(ControlState.class, row.getState()),
                Objects.requireNonNullElse(row.getReason(), ""), row.getVersion(), Optional.of(row.getChangedAt().toInstant()),
                row.getChangedBy());
    }

    /** A history row has the columns of the row in force, by name: one mapping serves both. */
    private static ExecutionControl fromActivation(ControlActivationsRecord row) {
        return fromRow(row.into(EXECUTION_CONTROLS));
    }
}
