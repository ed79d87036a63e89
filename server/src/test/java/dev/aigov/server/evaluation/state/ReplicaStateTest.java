package dev.aigov.server.evaluation.state;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static dev.aigov.server.testing.Eventually.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.identity.Tokens;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.HeldBatches;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.TwoReplicas;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one database: what changes on one (or in the database, by the token command)
 * reaches the other's in-memory state within the staleness bound, and a replica under more load
 * than its audit writer can take refuses at once.
 */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY, replicas = 2)
class ReplicaStateTest {
    /** AIGOV_MAX_STALENESS's default, plus slack for a loaded test machine. */
    private static final Duration BOUND = Duration.ofSeconds(1).plusSeconds(4);

    private final TestServer replicaA;
    private final TestServer replicaB;
    private final Clients clientsA;
    private final Clients clientsB;
    private final String admin;

    ReplicaStateTest(TwoReplicas replicas) {
        this.replicaA = replicas.a();
        this.replicaB = replicas.b();
        this.clientsA = replicas.clientsA();
        this.clientsB = replicas.clientsB();
        this.admin = replicas.admin();
    }

    @Test
    void aPolicyChangeAndAPauseOnOneReplicaReachTheOthersMemoryWithinTheBound() {
        String workspace = freshWorkspace();
        clientsA.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        within(BOUND, () -> replicaB.decisionState().snapshotFor(workspace).policy().version() == 1);

        clientsA.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                .setWorkspaceId(workspace).setState(ControlState.CONTROL_STATE_PAUSED).setReason("drill").build());
        within(BOUND, () -> replicaB.decisionState().snapshotFor(workspace).paused());

        EvaluateAiRequestResponse onB = clientsB.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace)
                .setRequestId(UUID.randomUUID().toString()).build());
        assertThat(onB.getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(onB.getDecision().getControlVersion()).isEqualTo(1);
    }

    @Test
    void aChangeIsInEffectForTheNextDecisionEvenBeforeItsNotificationArrives() {
        // The batch that records a decision checks the committed state: read-your-writes across replicas.
        for (int i = 0; i < 20; i++) {
            String workspace = freshWorkspace();
            clientsA.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                    .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
            EvaluateAiRequestResponse onB = clientsB.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace)
                    .setRequestId(UUID.randomUUID().toString()).build());
            assertThat(onB.getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
            assertThat(onB.getDecision().getPolicyVersion()).isEqualTo(1);
        }
    }

    @Test
    void aRevokedTokenIsRefusedByEveryReplicaWithinTheBound() {
        TestServer.NamedToken token = replicaA.mintNamed("revoked-soon", Set.of("ai.decisions.evaluate"), List.of());
        // Minted a moment ago: every replica takes it at once (memory, else the database).
        assertThat(evaluate(clientsA, token.token()).getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(evaluate(clientsB, token.token()).getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        within(BOUND, () -> replicaB.decisionState().principal(Tokens.hash(token.token())).isPresent());

        assertThat(replicaA.tokens().revoke(token.name())).isTrue();

        for (Clients clients : List.of(clientsA, clientsB)) {
            within(BOUND, () -> {
                try {
                    evaluate(clients, token.token());
                    return false;
                } catch (StatusRuntimeException refused) {
                    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    return true;
                }
            });
        }
        assertThat(replicaB.decisionState().principal(Tokens.hash(token.token()))).isEmpty();
    }

    @Test
    void aFullAuditQueueIsAnsweredOverloadedAtOnce() throws Exception {
        // One writer and room for two decisions in the queue.
        HotPathConfig oneWriterSmallQueue = new HotPathConfig(Duration.ofSeconds(1), 2, 500, 1);
        try (TestServer small = TestServer.startWith(oneWriterSmallQueue, TestDatabase.shared());
             Clients clients = new Clients(small)) {
            String token = small.adminToken();
            String workspace = freshWorkspace();
            HeldBatches batches = HeldBatches.holdEveryBatchOf(small.auditWriter());
            DecisionServiceGrpc.DecisionServiceFutureStub async =
                    Clients.withToken(DecisionServiceGrpc.newFutureStub(clients.channel()), token);
            Future<EvaluateAiRequestResponse> first = async.evaluateAiRequest(Requests.answerDraft(workspace).build());
            assertThat(batches.awaitHeld(Duration.ofSeconds(10))).isTrue();
            List<Future<EvaluateAiRequestResponse>> more = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                more.add(async.evaluateAiRequest(Requests.answerDraft(workspace).build()));
            }
            // The writer holds the first; the queue holds two: ten are refused, at once, while the
            // writer is still held (nothing waits for it).
            try {
                within(BOUND, () -> more.stream().filter(Future::isDone).count() >= 10);
            } catch (AssertionError notRefused) {
                batches.release();
                throw new AssertionError("refused: " + more.stream().filter(Future::isDone).count() + " of 12; queued "
                        + small.auditWriter().queued(), notRefused);
            }
            List<Future<EvaluateAiRequestResponse>> waiting = new ArrayList<>(List.of(first));
            for (Future<EvaluateAiRequestResponse> answer : more) {
                if (!answer.isDone()) {
                    waiting.add(answer);
                    continue;
                }
                assertThatThrownBy(answer::get).isInstanceOfSatisfying(ExecutionException.class, refused -> {
                    StatusRuntimeException error = (StatusRuntimeException) refused.getCause();
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_OVERLOADED");
                });
            }
            assertThat(waiting).hasSize(3);
            batches.release();
            for (Future<EvaluateAiRequestResponse> answer : waiting) {
                assertThat(answer.get(10, TimeUnit.SECONDS).getDecision().hasEvaluatedAt()).isTrue();
            }
            assertThat(Clients.auditEventsForWorkspace(small.dataSource(), workspace)).isEqualTo(waiting.size());
        }
    }

    private static EvaluateAiRequestResponse evaluate(Clients clients, String token) {
        return clients.decisions(token).evaluateAiRequest(Requests.answerDraft(freshWorkspace())
                .setRequestId(UUID.randomUUID().toString()).build());
    }

}
