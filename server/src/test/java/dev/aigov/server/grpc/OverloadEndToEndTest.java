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
import dev.aigov.server.config.TelemetryConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.HeldBatches;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.Scrape;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
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
    private static final TelemetryConfig METRICS = new TelemetryConfig(TelemetryConfig.ANY_FREE_PORT, "127.0.0.1", Optional.empty());

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

    /**
     * The default limit (adaptive, here with a ceiling of 8 so that the test can reach it): at its
     * limit, decisions are refused and counted under {@code cause="concurrency_limit"}, while health
     * checks, not limited at all, and a pause, on the control plane's share, get through.
     */
    @Test
    void atTheAdaptiveLimitHealthAndAPauseGetThroughAndEachRefusalIsCountedAsAtTheLimit() throws Exception {
        int ceiling = 8;
        HotPathConfig oneWriter = new HotPathConfig(Duration.ofSeconds(1), 100, 500, 1);
        try (TestServer server = TestServer.startAdjusted(TestDatabase.shared(), config -> config.withHotPath(oneWriter)
                .withTelemetry(METRICS).withOverload(OverloadConfig.parse("adaptive", ceiling)));
             Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String workspace = freshWorkspace();
            HeldBatches batches = HeldBatches.holdEveryBatchOf(server.auditWriter());
            DecisionServiceGrpc.DecisionServiceFutureStub async =
                    Clients.withToken(DecisionServiceGrpc.newFutureStub(clients.channel()), admin);
            List<Future<EvaluateAiRequestResponse>> admitted = new ArrayList<>();
            for (int i = 0; i < ceiling; i++) {
                admitted.add(async.evaluateAiRequest(Requests.answerDraft(workspace).build()));
            }
            assertThat(batches.awaitHeld(Duration.ofSeconds(10))).isTrue();
            // Every admitted call holds its slot (the held batch took as many of them as had arrived; the rest queue).
            within(Duration.ofSeconds(10), () -> Scrape.of(server.metricsPort()).sum("aigov_concurrency_in_flight", Map.of()) == ceiling);
            Scrape before = Scrape.of(server.metricsPort());
            assertThat(before.sum("aigov_concurrency_in_flight", Map.of())).isEqualTo(ceiling);

            for (int i = 0; i < 3; i++) {
                assertRefusedOverloaded(() -> clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace).build()));
            }
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(clients.channel());
            for (int i = 0; i < 20; i++) {
                assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            }
            SetExecutionControlResponse paused = clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder()
                    .setControlKey("ai.execution").setWorkspaceId(freshWorkspace()).setState(ControlState.CONTROL_STATE_PAUSED)
                    .setReason("overload drill").build());
            assertThat(paused.getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
            Scrape after = Scrape.of(server.metricsPort());
            assertThat(delta(before, after, Map.of("cause", "concurrency_limit"))).isEqualTo(3);
            assertThat(delta(before, after, Map.of("cause", "audit_queue"))).isZero();
            assertThat(admitted).noneMatch(Future::isDone);

            batches.release();
            for (Future<EvaluateAiRequestResponse> answer : admitted) {
                assertThat(answer.get(10, TimeUnit.SECONDS).getDecision().hasEvaluatedAt()).isTrue();
            }
        }
    }

    /** A full audit queue is the other cause: refused OVERLOADED, counted under {@code cause="audit_queue"}, not the limit's. */
    @Test
    void aFullAuditQueueRefusesAndIsCountedAsItsOwnCause() throws Exception {
        int capacity = 2;
        HotPathConfig smallQueue = new HotPathConfig(Duration.ofSeconds(1), capacity, 500, 1);
        try (TestServer server = TestServer.startAdjusted(TestDatabase.shared(), config -> config.withHotPath(smallQueue)
                .withTelemetry(METRICS).withOverload(OverloadConfig.DEFAULT));
             Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String workspace = freshWorkspace();
            HeldBatches batches = HeldBatches.holdEveryBatchOf(server.auditWriter());
            DecisionServiceGrpc.DecisionServiceFutureStub async =
                    Clients.withToken(DecisionServiceGrpc.newFutureStub(clients.channel()), admin);
            List<Future<EvaluateAiRequestResponse>> admitted = new ArrayList<>();
            admitted.add(async.evaluateAiRequest(Requests.answerDraft(workspace).build()));
            assertThat(batches.awaitHeld(Duration.ofSeconds(10))).isTrue();
            for (int i = 0; i < capacity; i++) {
                admitted.add(async.evaluateAiRequest(Requests.answerDraft(workspace).build()));
            }
            within(Duration.ofSeconds(10), () -> server.auditWriter().queued() == capacity);
            Scrape before = Scrape.of(server.metricsPort());

            assertRefusedOverloaded(() -> clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace).build()));

            Scrape after = Scrape.of(server.metricsPort());
            assertThat(delta(before, after, Map.of("cause", "audit_queue"))).isEqualTo(1);
            assertThat(delta(before, after, Map.of("cause", "concurrency_limit"))).isZero();
            batches.release();
            for (Future<EvaluateAiRequestResponse> answer : admitted) {
                assertThat(answer.get(10, TimeUnit.SECONDS).getDecision().hasEvaluatedAt()).isTrue();
            }
        }
    }

    private static void assertRefusedOverloaded(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
            assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_OVERLOADED");
        });
    }

    private static double delta(Scrape before, Scrape after, Map<String, String> labels) {
        return after.sum("aigov_overload_refusals_total", labels) - before.sum("aigov_overload_refusals_total", labels);
    }

    @Test
    void aCallWhoseDeadlinePassesWhileItWaitsCostsNoDatabaseWork() throws Exception {
        HotPathConfig oneWriter = new HotPathConfig(Duration.ofSeconds(1), 100, 500, 1);
        // The server ends a call's context when its own deadline passes, a little after the client's:
        // this latch is how the test knows the server has seen the late call go.
        CountDownLatch evaluationEnded = new CountDownLatch(1);
        ServerInterceptor watchEnds = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                if (call.getMethodDescriptor().equals(DecisionServiceGrpc.getEvaluateAiRequestMethod())) {
                    Context.current().addListener(ended -> evaluationEnded.countDown(), Runnable::run);
                }
                return next.startCall(call, headers);
            }
        };
        try (TestServer server = TestServer.startWith(oneWriter, TestDatabase.shared(), watchEnds);
             Clients clients = new Clients(server)) {
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
            // The held call has not ended: the one evaluation that has is the late one.
            assertThat(evaluationEnded.await(10, TimeUnit.SECONDS)).as("the server saw the late call's deadline pass").isTrue();
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
