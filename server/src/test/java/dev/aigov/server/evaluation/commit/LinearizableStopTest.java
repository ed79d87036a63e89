package dev.aigov.server.evaluation.commit;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.testing.AuditRows;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Eventually;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.TwoReplicas;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The stop no decision can cross: in commit order, no ALLOW is recorded after the pause that
 * forbids it, whichever replica decided it and whatever its in-memory state had seen.
 */
// Its own database: commit timestamps (track_commit_timestamp) are what the order is read from.
@WithAigovServer(transport = WithAigovServer.Transport.NETTY, privateDatabase = true, replicas = 2)
class LinearizableStopTest {
    private final TestServer replicaA;
    private final TestServer replicaB;
    private final Clients clientsA;
    private final Clients clientsB;
    private final String admin;

    LinearizableStopTest(TwoReplicas replicas) {
        this.replicaA = replicas.a();
        this.replicaB = replicas.b();
        this.clientsA = replicas.clientsA();
        this.clientsB = replicas.clientsB();
        this.admin = replicas.admin();
    }

    @AfterEach
    void releaseHooks() {
        replicaB.auditWriter().onEachBatch(GroupCommitRecorder.BatchHook.NONE);
    }

    @Test
    void allowsDecidedBeforeAPauseButCommittedAfterItAreRecordedAsTheBlocksTheyNowAre() throws Exception {
        String workspace = privateOnlyWorkspace();
        awaitPolicyOn(replicaB, workspace);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        replicaB.auditWriter().onEachBatch(new GroupCommitRecorder.BatchHook() {
            @Override
            public void beforeStateLock(DSLContext tx, int batchSize) {
                held.countDown();
                await(release);
            }
        });
        DecisionServiceGrpc.DecisionServiceFutureStub async = Clients.withToken(
                DecisionServiceGrpc.newFutureStub(clientsB.channel()), admin);
        List<Future<EvaluateAiRequestResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(async.evaluateAiRequest(Requests.answerDraft(workspace)
                    .setRequestId(UUID.randomUUID().toString()).build()));
        }
        // Decided ALLOW on B's state, waiting for their batch: now the operator pauses, through A.
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        pause(clientsA, workspace);
        release.countDown();

        for (Future<EvaluateAiRequestResponse> answer : answers) {
            Decision decision = answer.get(10, TimeUnit.SECONDS).getDecision();
            assertThat(decision.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
            assertThat(decision.getReason()).isEqualTo(BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
            assertThat(decision.getExecutionState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
        }
        assertThat(allowsCommittedAfterThePause(workspace)).isZero();
        assertThat(AuditRows.countOf(replicaA.dataSource(),
                "SELECT count(*) FROM audit_events WHERE workspace_id = ? AND kind = 'ai_decision' AND outcome = 'block'", workspace))
                .isEqualTo(5);
    }

    /** Every change that forbids an ALLOW, raced against load on both replicas, made through A. */
    enum ForbiddingChange {
        WORKSPACE_PAUSE, GLOBAL_PAUSE, POLICY_DISABLED
    }

    @ParameterizedTest
    @EnumSource(ForbiddingChange.class)
    void underLoadOnTwoReplicasNoAllowIsCommittedAfterTheChangeThatForbidsIt(ForbiddingChange change) throws Exception {
        List<String> workspaces = List.of(privateOnlyWorkspace(), privateOnlyWorkspace(), privateOnlyWorkspace());
        workspaces.forEach(workspace -> awaitPolicyOn(replicaB, workspace));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger unexpected = new AtomicInteger();
        ExecutorService load = Executors.newFixedThreadPool(16);
        List<Future<?>> loops = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Clients clients = i % 2 == 0 ? clientsA : clientsB;
            loops.add(load.submit(() -> {
                while (running.get()) {
                    String workspace = workspaces.get(ThreadLocalRandom.current().nextInt(workspaces.size()));
                    try {
                        clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace)
                                .setRequestId(UUID.randomUUID().toString()).build());
                    } catch (StatusRuntimeException e) {
                        unexpected.incrementAndGet();
                    }
                }
            }));
        }
        try {
            awaitAllows(workspaces, 200);
            // Forbid each workspace's ALLOWs on A while both replicas decide for it.
            switch (change) {
                case WORKSPACE_PAUSE -> workspaces.forEach(workspace -> pause(clientsA, workspace));
                case GLOBAL_PAUSE -> pause(clientsA, "");
                case POLICY_DISABLED -> workspaces.forEach(workspace -> clientsA.policies(admin).setWorkspacePolicy(
                        SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_DISABLED)
                                .setReason("incident drill").build()));
            }
            awaitBlocksAfter(workspaces, change == ForbiddingChange.POLICY_DISABLED ? "workspace_policy_disabled" : "ai_execution_paused",
                    100);
        } finally {
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(30, TimeUnit.SECONDS);
            }
            load.shutdownNow();
            if (change == ForbiddingChange.GLOBAL_PAUSE) {
                clientsA.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                        .setWorkspaceId("").setState(ControlState.CONTROL_STATE_ENABLED).setReason("drill over").build());
            }
        }
        assertThat(unexpected.get()).isZero();
        for (String workspace : workspaces) {
            assertThat(allowsCommittedAfter(workspace, change)).as("ALLOWs of %s committed after the %s", workspace, change).isZero();
        }
    }

    private String privateOnlyWorkspace() {
        String workspace = freshWorkspace();
        clientsA.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        return workspace;
    }

    private void pause(Clients clients, String workspace) {
        clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder()
                .setControlKey("ai.execution").setWorkspaceId(workspace)
                .setState(ControlState.CONTROL_STATE_PAUSED).setReason("incident drill").build());
    }

    /** Waits until the replica's in-memory state has the workspace's private_only policy. */
    private static void awaitPolicyOn(TestServer replica, String workspace) {
        poll(() -> replica.decisionState().snapshotFor(workspace).policy().mode() == dev.aigov.core.PolicyMode.PRIVATE_ONLY);
    }

    private void awaitAllows(List<String> workspaces, int atLeast) {
        poll(() -> workspaces.stream().allMatch(workspace -> count(
                "SELECT count(*) FROM audit_events WHERE workspace_id = ? AND kind = 'ai_decision' AND outcome = 'allow'",
                workspace) >= atLeast));
    }

    private void awaitBlocksAfter(List<String> workspaces, String reason, int atLeast) {
        poll(() -> workspaces.stream().allMatch(workspace -> count(
                "SELECT count(*) FROM audit_events WHERE workspace_id = ? AND kind = 'ai_decision' AND reason = '" + reason + "'",
                workspace) >= atLeast));
    }

    /** ALLOWs of the workspace whose transaction committed after the transaction of the change. */
    private int allowsCommittedAfter(String workspace, ForbiddingChange change) {
        String changeCommitted = switch (change) {
            case WORKSPACE_PAUSE ->
                    "SELECT pg_xact_commit_timestamp(c.xmin) FROM control_activations c WHERE c.control_key = 'ai.execution'"
                            + " AND c.workspace_id = a.workspace_id AND c.state = 'paused'";
            case GLOBAL_PAUSE ->
                    "SELECT max(pg_xact_commit_timestamp(c.xmin)) FROM control_activations c WHERE c.control_key = 'ai.execution'"
                            + " AND c.workspace_id = '' AND c.state = 'paused'";
            case POLICY_DISABLED -> "SELECT pg_xact_commit_timestamp(p.xmin) FROM workspace_policy_versions p"
                    + " WHERE p.workspace_id = a.workspace_id AND p.policy_mode = 'disabled'";
        };
        return count("SELECT count(*) FROM audit_events a WHERE a.workspace_id = ? AND a.kind = 'ai_decision' AND a.outcome = 'allow'"
                + " AND pg_xact_commit_timestamp(a.xmin) >= (" + changeCommitted + ")", workspace);
    }

    /** ALLOWs of the workspace whose transaction committed after the transaction of its pause. */
    private int allowsCommittedAfterThePause(String workspace) {
        return count("""
                SELECT count(*) FROM audit_events a
                WHERE a.workspace_id = ? AND a.kind = 'ai_decision' AND a.outcome = 'allow'
                  AND pg_xact_commit_timestamp(a.xmin) >= (
                      SELECT pg_xact_commit_timestamp(c.xmin) FROM control_activations c
                      WHERE c.control_key = 'ai.execution' AND c.workspace_id = a.workspace_id AND c.state = 'paused')
                """, workspace);
    }

    private int count(String sql, String workspace) {
        try (Connection connection = replicaA.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, workspace);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static void poll(java.util.function.BooleanSupplier condition) {
        Eventually.within(Duration.ofSeconds(20), condition);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the batch");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
