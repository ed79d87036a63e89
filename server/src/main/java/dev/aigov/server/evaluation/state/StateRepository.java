package dev.aigov.server.evaluation.state;

import static dev.aigov.db.jooq.Tables.EXECUTION_CONTROLS;
import static dev.aigov.db.jooq.Tables.STATE_VERSION;
import static dev.aigov.db.jooq.Tables.WORKSPACE_POLICIES;

import dev.aigov.core.ControlState;
import dev.aigov.core.ControlStatus;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.PolicyStatus;
import dev.aigov.core.Snapshot;
import dev.aigov.core.Vocabulary;
import dev.aigov.db.jooq.Routines;
import dev.aigov.server.control.ExecutionControl;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.identity.PrincipalRepository;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jooq.DSLContext;
import org.jooq.Record3;
import org.jooq.Record4;
import org.jooq.impl.DSL;

/** The decision state as stored: its version and its rows and its change log (see {@code V7__state_changes.sql}). */
public final class StateRepository {
    /** The global scope's workspace id in {@code execution_controls}. */
    static final String GLOBAL = "";

    private StateRepository() {
    }

    /** Subscribes the connection behind {@code ctx} to state change notifications. */
    static void listen(DSLContext ctx) {
        Routines.listenForStateChanges(ctx.configuration());
    }

    /** One change of the log: the version it made, its table, its key (empty: the whole table). */
    record Change(long version, String table, Optional<String> key) {
    }

    /** The committed version, and the log's changes after {@code applied} (at most {@code limit}), read in one snapshot. */
    record Changes(long committedVersion, List<Change> changes) {
    }

    /** Reads the committed version and the changes after {@code applied}, in version order, in one statement. */
    static Changes changesAfter(DSLContext ctx, long applied, int limit) {
        List<Change> changes = new ArrayList<>();
        long committed = -1;
        for (Record4<Long, Long, String, String> row : ctx.resultQuery("""
                SELECT v.version, c.version, c.table_name, c.change_key
                FROM state_version v
                LEFT JOIN LATERAL (SELECT version, table_name, change_key FROM state_changes
                                   WHERE version > ? ORDER BY version LIMIT ?) c ON true
                WHERE v.id = 1
                ORDER BY c.version
                """, applied, limit).coerce(DSL.field("v", Long.class), DSL.field("c", Long.class), DSL.field("t", String.class),
                DSL.field("k", String.class)).fetch()) {
            committed = row.value1();
            if (row.value2() != null) {
                changes.add(new Change(row.value2(), row.value3(), Optional.ofNullable(row.value4())));
            }
        }
        if (committed < 0) {
            throw new IllegalStateException("state_version has no row");
        }
        return new Changes(committed, changes);
    }

    static long version(DSLContext ctx) {
        return ctx.select(STATE_VERSION.VERSION).from(STATE_VERSION).where(STATE_VERSION.ID.eq(1)).fetchSingle().value1();
    }

    /**
     * The snapshot of each workspace as committed now (in {@code tx}, after
     * {@link dev.aigov.server.evaluation.commit.DecisionStateLock#forDecisions}).
     */
    public static Map<String, Snapshot> snapshots(DSLContext tx, Collection<String> workspaces, long stateVersion) {
        Map<String, ControlStatus> controls = new HashMap<>();
        tx.select(EXECUTION_CONTROLS.WORKSPACE_ID, EXECUTION_CONTROLS.STATE, EXECUTION_CONTROLS.VERSION)
                .from(EXECUTION_CONTROLS)
                .where(EXECUTION_CONTROLS.CONTROL_KEY.eq(ExecutionControl.AI_EXECUTION))
                .and(EXECUTION_CONTROLS.WORKSPACE_ID.eq(GLOBAL).or(EXECUTION_CONTROLS.WORKSPACE_ID.in(workspaces)))
                .forEach(row -> controls.put(row.value1(), control(row)));
        Map<String, PolicyStatus> policies = new HashMap<>();
        tx.select(WORKSPACE_POLICIES.WORKSPACE_ID, WORKSPACE_POLICIES.POLICY_MODE, WORKSPACE_POLICIES.VERSION)
                .from(WORKSPACE_POLICIES)
                .where(WORKSPACE_POLICIES.WORKSPACE_ID.in(workspaces))
                .forEach(row -> policies.put(row.value1(), policy(row)));
        ControlStatus global = controls.getOrDefault(GLOBAL, ControlStatus.NEVER_CHANGED);
        Map<String, Snapshot> snapshots = new HashMap<>();
        for (String workspace : workspaces) {
            snapshots.put(workspace, new Snapshot(global, controls.getOrDefault(workspace, ControlStatus.NEVER_CHANGED),
                    policies.getOrDefault(workspace, PolicyStatus.DEFAULT), stateVersion));
        }
        return snapshots;
    }

    /** Every {@code ai.execution} control that was ever set, by workspace id ("" global), streamed. */
    static void forEachControl(DSLContext tx, BiConsumer<String, ControlStatus> action) {
        try (var cursor = tx.select(EXECUTION_CONTROLS.WORKSPACE_ID, EXECUTION_CONTROLS.STATE, EXECUTION_CONTROLS.VERSION)
                .from(EXECUTION_CONTROLS)
                .where(EXECUTION_CONTROLS.CONTROL_KEY.eq(ExecutionControl.AI_EXECUTION))
                .fetchSize(10_000)
                .fetchLazy()) {
            cursor.forEach(row -> action.accept(row.value1(), control(row)));
        }
    }

    /** Every workspace policy that was ever set, streamed. */
    static void forEachPolicy(DSLContext tx, BiConsumer<String, PolicyStatus> action) {
        try (var cursor = tx.select(WORKSPACE_POLICIES.WORKSPACE_ID, WORKSPACE_POLICIES.POLICY_MODE, WORKSPACE_POLICIES.VERSION)
                .from(WORKSPACE_POLICIES)
                .fetchSize(10_000)
                .fetchLazy()) {
            cursor.forEach(row -> action.accept(row.value1(), policy(row)));
        }
    }

    static void forEachActivePrincipal(DSLContext tx, BiConsumer<byte[], Principal> action) {
        new PrincipalRepository(tx).forEachActive(action);
    }

    static Optional<ControlStatus> control(DSLContext ctx, String controlKey, String workspaceId) {
        return ctx.select(EXECUTION_CONTROLS.WORKSPACE_ID, EXECUTION_CONTROLS.STATE, EXECUTION_CONTROLS.VERSION)
                .from(EXECUTION_CONTROLS)
                .where(EXECUTION_CONTROLS.CONTROL_KEY.eq(controlKey))
                .and(EXECUTION_CONTROLS.WORKSPACE_ID.eq(workspaceId))
                .fetchOptional(StateRepository::control);
    }

    static Optional<PolicyStatus> policy(DSLContext ctx, String workspaceId) {
        return ctx.select(WORKSPACE_POLICIES.WORKSPACE_ID, WORKSPACE_POLICIES.POLICY_MODE, WORKSPACE_POLICIES.VERSION)
                .from(WORKSPACE_POLICIES)
                .where(WORKSPACE_POLICIES.WORKSPACE_ID.eq(workspaceId))
                .fetchOptional(StateRepository::policy);
    }

    static Optional<Principal> activePrincipal(DSLContext ctx, byte[] tokenHash) {
        return new PrincipalRepository(ctx).findActiveByTokenHash(tokenHash);
    }

    private static ControlStatus control(Record3<String, String, Long> row) {
        return new ControlStatus(Vocabulary.fromWord(ControlState.class, row.value2()), row.value3());
    }

    private static PolicyStatus policy(Record3<String, String, Long> row) {
        return new PolicyStatus(Vocabulary.fromWord(PolicyMode.class, row.value2()), row.value3());
    }

}
