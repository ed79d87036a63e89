package dev.aigov.server.evaluation.state;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Eventually;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.TwoReplicas;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The decision state against its own database: what a login without privilege, a DBA's by-hand
 * change or a tampered version could do to the stop, each case on two replicas (changes made
 * through A, decisions asked of B). Each failed before the state became a log read by version.
 */
// Its own database: the cases tamper with the state's version and create roles.
@WithAigovServer(privateDatabase = true, replicas = 2)
class StateTamperingTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private final TestServer replicaA;
    private final TestServer replicaB;
    private final Clients clientsA;
    private final Clients clientsB;
    private final String admin;

    StateTamperingTest(TwoReplicas replicas) {
        this.replicaA = replicas.a();
        this.replicaB = replicas.b();
        this.clientsA = replicas.clientsA();
        this.clientsB = replicas.clientsB();
        this.admin = replicas.admin();
    }

    @Test
    void forgedNotificationsChangeNothingAndThePauseAfterThemStillStops() throws SQLException {
        String workspace = allowedWorkspace();
        long version = replicaB.decisionState().version();
        try (Connection anyone = replicaA.dataSource().getConnection(); Statement sql = anyone.createStatement()) {
            // The version a real change would take next, and one far ahead: both once skipped real changes.
            sql.execute("SELECT pg_notify('aigov_state', '" + (version + 1) + " workspace_policies nosuch')");
            sql.execute("SELECT pg_notify('aigov_state', '999999999 execution_controls ai.execution/" + workspace + "')");
            for (int i = 0; i < 200; i++) {
                sql.execute("SELECT pg_notify('aigov_state', 'not a version " + i + "')");
            }
        }
        assertThat(replicaB.decisionState().version()).isEqualTo(version);

        pause(workspace);

        awaitOnB(workspace, BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
        // That BLOCK may come from the writer's re-decision at commit; B's own state must apply the pause too,
        // at the database's version: no forged notification made its listener skip the real change.
        long paused = databaseVersion();
        Eventually.within(BOUND, () -> replicaB.decisionState().version() == paused
                && replicaB.decisionState().snapshotFor(workspace).workspaceControl().paused());
        assertThat(replicaB.decisionState().current()).isTrue();
    }

    @Test
    void aDecrementedVersionIsNoticedAndTheNextPauseIsAppliedAndStops() throws SQLException {
        String workspace = allowedWorkspace();
        long before = databaseVersion();
        // Only the owner or a superuser can still do this (the runtime role cannot: LeastPrivilegeTest).
        execute("UPDATE state_version SET version = version - 1");

        pause(workspace);

        assertThat(databaseVersion()).as("a change after the decrement takes a version no replica has applied").isGreaterThan(before);
        awaitOnB(workspace, BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
        Eventually.within(BOUND, () -> replicaB.decisionState().version() == databaseVersion());
        // A applies the pause from the log too, in its own time: its OK was given under the lock, not by its memory.
        Eventually.within(BOUND, () -> replicaA.decisionState().snapshotFor(workspace).workspaceControl().paused());
    }

    @Test
    void aPolicyRowRenamedByHandNoLongerAllowsUnderItsOldKey() throws SQLException {
        String workspace = allowedWorkspace();
        String renamed = freshWorkspace();

        execute("UPDATE workspace_policies SET workspace_id = '" + renamed + "' WHERE workspace_id = '" + workspace + "'");

        awaitOnB(workspace, BlockReason.BLOCK_REASON_WORKSPACE_POLICY_DISABLED);
        Eventually.within(BOUND, () -> decideOnB(renamed).getOutcome() == Outcome.OUTCOME_ALLOW);
    }

    @Test
    void aTokenWhoseHashIsChangedByHandStopsWorkingOnEveryReplica() throws SQLException {
        TestServer.NamedToken token = replicaA.mintNamed("tamper", Set.of("ai.decisions.evaluate"), List.of());
        String workspace = allowedWorkspace();
        Eventually.within(BOUND, () -> evaluatesOnB(token.token(), workspace));

        execute("UPDATE principals SET token_hash = sha256(convert_to(gen_random_uuid()::text, 'UTF8')) WHERE name = '"
                + token.name() + "'");

        Eventually.within(BOUND, () -> !evaluatesOnB(token.token(), workspace));
        assertThatThrownBy(() -> clientsB.decisions(token.token()).evaluateAiRequest(Requests.answerDraft(workspace).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void aLoginWithoutPrivilegeCannotHoldTheStopLockAndThePauseGoesThrough() throws SQLException {
        String workspace = allowedWorkspace();
        String role = "intruder_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        execute("CREATE ROLE " + role + " LOGIN PASSWORD 'intruder'");
        // Without the URL's parameters, which name the superuser.
        String url = ((com.zaxxer.hikari.HikariDataSource) replicaA.dataSource()).getJdbcUrl().replaceFirst("\\?.*", "");
        try (Connection intruder = java.sql.DriverManager.getConnection(url, role, "intruder");
             Statement sql = intruder.createStatement()) {
            try (var who = sql.executeQuery("SELECT current_user")) {
                who.next();
                assertThat(who.getString(1)).isEqualTo(role);
            }
            // The advisory key that was the lock: any session could take it, and every pause then timed out.
            sql.execute("SELECT pg_advisory_lock_shared(7140114001)");
            intruder.setAutoCommit(false);
            for (String attempt : List.of("LOCK TABLE state_version IN ROW SHARE MODE", "SELECT lock_state_for_decisions()",
                    "SELECT lock_state_for_change(1000)", "SELECT 1 FROM state_version FOR SHARE")) {
                assertThatThrownBy(() -> sql.execute(attempt)).as(attempt)
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
                intruder.rollback();
            }

            long started = System.nanoTime();
            pause(workspace);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            awaitOnB(workspace, BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
        }
    }

    @Test
    void aPauseThatCannotTakeTheLockFailsLoudlyNamingTheSessionThatHoldsIt() throws SQLException {
        String workspace = allowedWorkspace();
        try (Connection holder = replicaA.dataSource().getConnection(); Statement sql = holder.createStatement()) {
            holder.setAutoCommit(false);
            sql.execute("LOCK TABLE state_version IN ROW SHARE MODE");
            int pid;
            try (var rows = sql.executeQuery("SELECT pg_backend_pid()")) {
                rows.next();
                pid = rows.getInt(1);
            }

            long started = System.nanoTime();
            assertThatThrownBy(() -> pause(workspace)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription()).contains("decision-state lock").contains("pid " + pid);
            });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOUND);
            holder.rollback();
        }
        pause(workspace);
        awaitOnB(workspace, BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
    }

    @Test
    void aBulkChangeByHandIsLoadedWholeNotRowByRow() throws SQLException {
        String prefix = freshWorkspace() + "-bulk-";
        int rows = 3 * StateListener.MAX_PENDING_CHANGES;
        execute("INSERT INTO workspace_policies (workspace_id, policy_mode, version, updated_at, updated_by)"
                + " SELECT '" + prefix + "' || n, 'private_only', 1, now(), 'dba' FROM generate_series(1, " + rows + ") AS n");

        Eventually.within(BOUND, () -> replicaB.decisionState().version() == databaseVersion());
        for (int n : List.of(1, rows / 2, rows)) {
            assertThat(replicaB.decisionState().snapshotFor(prefix + n).policy().mode()).isEqualTo(dev.aigov.core.PolicyMode.PRIVATE_ONLY);
            assertThat(decideOnB(prefix + n).getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        }
    }

    /** A workspace with a private_only policy, that B allows. */
    private String allowedWorkspace() {
        String workspace = freshWorkspace();
        clientsA.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        Eventually.within(BOUND, () -> decideOnB(workspace).getOutcome() == Outcome.OUTCOME_ALLOW);
        return workspace;
    }

    private void pause(String workspace) {
        clientsA.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder()
                .setControlKey("ai.execution").setWorkspaceId(workspace)
                .setState(ControlState.CONTROL_STATE_PAUSED).setReason("tampering drill").build());
    }

    private Decision decideOnB(String workspace) {
        return clientsB.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace).build()).getDecision();
    }

    private boolean evaluatesOnB(String token, String workspace) {
        try {
            clientsB.decisions(token).evaluateAiRequest(Requests.answerDraft(workspace).build());
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    /** Waits until B blocks the workspace for this reason. */
    private void awaitOnB(String workspace, BlockReason reason) {
        Eventually.within(BOUND, () -> {
            Decision decision = decideOnB(workspace);
            return decision.getOutcome() == Outcome.OUTCOME_BLOCK && decision.getReason() == reason;
        });
    }

    private long databaseVersion() {
        try (Connection connection = replicaA.dataSource().getConnection(); Statement sql = connection.createStatement();
             var rows = sql.executeQuery("SELECT version FROM state_version")) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** A by-hand statement, as the private database's superuser (a DBA). */
    private void execute(String statement) throws SQLException {
        try (Connection connection = replicaA.dataSource().getConnection(); Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }
}
