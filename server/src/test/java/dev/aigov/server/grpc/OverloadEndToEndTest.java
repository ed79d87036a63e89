package dev.aigov.server.grpc;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static dev.aigov.server.testing.Eventually.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetExecutionControlResponse;
import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.config.OverloadConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.HeldBatches;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With the concurrency limit forced low and the admitted calls held in the audit writer, every
 * further call is refused UNAVAILABLE (OVERLOADED) at once (while the admitted ones are still held:
 * nothing queues behind them), the admitted ones then succeed, and an operator's
 * SetExecutionControl still gets through on the control plane's reserved share.
 */
class OverloadEndToEndTest {
    private static final int LIMIT = 4;

    @Test
    void excessCallsAreRefusedAtOnceWhileAdmittedOnesSucceedAndAPauseStillGetsThrough() throws Exception {
        try (TestServer server =
                TestServer.startAdjusted(TestDatabase.shared(), config -> config.withOverload(OverloadConfig.fixed(LIMIT)));
             Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String workspace = freshWorkspace();
            HeldBatches batches = HeldBatches.holdEveryBatchOf(server.auditWriter());
            DecisionServiceGrpc.DecisionServiceFutureStub async =
                    Clients.withToken(DecisionServiceGrpc.newFutureStub(clients.channel()), admin);
            List<Future<EvaluateAiRequestResponse>> admitted = new ArrayList<>();
            for (int i = 0; i < LIMIT; i++) {
                admitted.add(async.evaluateAiRequest(Requests.answerDraft(workspace).build()));
            }
            assertThat(batches.awaitHeld(Duration.ofSeconds(10))).isTrue();
            // Four in flight: the limit. Every further decision is refused while they are held.
            List<Future<EvaluateAiRequestResponse>> excess = new ArrayList<>();
            long sent = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                excess.add(async.evaluateAiRequest(Requests.answerDraft(workspace).build()));
            }
            within(Duration.ofSeconds(10), () -> excess.stream().allMatch(Future::isDone));
            long refusedWithin = System.nanoTime() - sent;
            assertThat(admitted).noneMatch(Future::isDone);
            for (Future<EvaluateAiRequestResponse> refused : excess) {
                assertThatThrownBy(refused::get).isInstanceOfSatisfying(ExecutionException.class, failure -> {
                    StatusRuntimeException error = (StatusRuntimeException) failure.getCause();
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_OVERLOADED");
                });
            }
            System.out.printf("20 excess calls refused within %.1f ms while %d were held%n", refusedWithin / 1e6, LIMIT);

            // The control plane's share: an operator can still pause AI.
            SetExecutionControlResponse paused = clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder()
                    .setControlKey("ai.execution").setWorkspaceId(workspace).setState(ControlState.CONTROL_STATE_PAUSED)
                    .setReason("overload drill").build());
            assertThat(paused.getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
            assertThat(admitted).noneMatch(Future::isDone);

            batches.release();
            for (Future<EvaluateAiRequestResponse> answer : admitted) {
                assertThat(answer.get(10, TimeUnit.SECONDS).getDecision().hasEvaluatedAt()).isTrue();
            }
            // The slots are free again.
            assertThat(clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(freshWorkspace()).build())
                    .getDecision().hasEvaluatedAt()).isTrue();
        }
    }

    @Test
    void aCallWhoseDeadlinePassesWhileItWaitsCostsNoDatabaseWork() throws Exception {
        HotPathConfig oneWriter = new HotPathConfig(Duration.ofSeconds(1), 100, 500, 1);
        try (TestServer server = TestServer.startWith(oneWriter, TestDatabase.shared()); Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            HeldBatches batches = HeldBatches.holdEveryBatchOf(server.auditWriter());
            DecisionServiceGrpc.DecisionServiceFutureStub async =
                    Clients.withToken(DecisionServiceGrpc.newFutureStub(clients.channel()), admin);
            String first = freshWorkspace();
            Future<EvaluateAiRequestResponse> holding = async.evaluateAiRequest(Requests.answerDraft(first).build());
            assertThat(batches.awaitHeld(Duration.ofSeconds(10))).isTrue();
            String late = freshWorkspace();
            Future<EvaluateAiRequestResponse> expiring = async.withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                    .evaluateAiRequest(Requests.answerDraft(late).build());
            assertThatThrownBy(() -> expiring.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(ExecutionException.class,
                    failure -> assertThat(((StatusRuntimeException) failure.getCause()).getStatus().getCode())
                            .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
            within(Duration.ofSeconds(10), () -> server.auditWriter().queued() == 1);
            batches.release();
            assertThat(holding.get(10, TimeUnit.SECONDS).getDecision().hasEvaluatedAt()).isTrue();
            // The writer has taken the expired one off the queue: and wrote nothing of it.
            within(Duration.ofSeconds(10), () -> server.auditWriter().queued() == 0);
            clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(freshWorkspace()).build());
            assertThat(Clients.auditEventsForWorkspace(server.dataSource(), first)).isEqualTo(1);
            assertThat(Clients.auditEventsForWorkspace(server.dataSource(), late)).isZero();
        }
    }
}
