package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.storage.Database;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Throughput and latency of EvaluateAiRequest end to end (real channel, real PostgreSQL, one
 * audit event per call), printed, not asserted. Not part of the default run:
 * {@code ./mvnw -B -pl server -am verify -Dgroups=benchmark -Daigov.excludedGroups= -Daigov.redirectTestOutput=false
 * -Dtest=EvaluateBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
// A benchmark (run only when asked for), not bound by the tests' 90 s.
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class EvaluateBenchmark {
    private static final int WARMUP = 500;
    private static final int CALLS = 3_000;

    /** The same run on the embedded PostgreSQL as the server runs it (fsync on) and with durability opted out (fsync off). */
    @ParameterizedTest(name = "fsync {0}")
    @ValueSource(strings = {"on", "off"})
    void printsSequentialAndConcurrentFigures(String fsync, @TempDir Path home) throws Exception {
        DatabaseConfig config = new DatabaseConfig(Optional.empty(), home, 10, Duration.ofSeconds(2), fsync.equals("off"));
        try (Database database = Database.open(config, Database.EmbeddedUse.OWN);
             TestServer server = TestServer.startOn(database); Clients clients = new Clients(server)) {
            System.out.printf("EvaluateAiRequest with fsync %s%n", fsync);
            String workspace = Clients.freshWorkspace();
            clients.policies(server.adminToken()).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                    .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
            EvaluateAiRequestRequest request = DecisionEndToEndTest.answerDraft(workspace).build();
            DecisionServiceGrpc.DecisionServiceBlockingStub blocking = clients.decisions(server.adminToken());
            DecisionServiceGrpc.DecisionServiceStub async = Clients.withToken(
                    DecisionServiceGrpc.newStub(clients.channel()), server.adminToken());

            for (int i = 0; i < WARMUP; i++) {
                assertThat(blocking.withDeadlineAfter(10, TimeUnit.SECONDS).evaluateAiRequest(request).getDecision().getOutcome())
                        .isEqualTo(Outcome.OUTCOME_ALLOW);
            }
            long[] sequential = new long[CALLS];
            long start = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                long callStart = System.nanoTime();
                blocking.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .evaluateAiRequest(request.toBuilder().setRequestId(UUID.randomUUID().toString()).build());
                sequential[i] = System.nanoTime() - callStart;
            }
            report("sequential (1 in flight)", sequential, System.nanoTime() - start);

            for (int inFlight : new int[]{8, 32}) {
                long[] concurrent = concurrent(async, request, inFlight);
                report("concurrent (" + inFlight + " in flight)", concurrent, concurrent[concurrent.length - 1]);
            }
        }
    }

    /** Latencies of CALLS calls with {@code inFlight} outstanding; the last element is the total time. */
    private static long[] concurrent(DecisionServiceGrpc.DecisionServiceStub async, EvaluateAiRequestRequest request, int inFlight)
            throws Exception {
        Semaphore slots = new Semaphore(inFlight);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        long start = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            slots.acquire();
            long callStart = System.nanoTime();
            async.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .evaluateAiRequest(request.toBuilder().setRequestId(UUID.randomUUID().toString()).build(), new StreamObserver<>() {
                        @Override
                        public void onNext(EvaluateAiRequestResponse response) {
                        }

                        @Override
                        public void onError(Throwable error) {
                            done.completeExceptionally(error);
                            slots.release();
                        }

                        @Override
                        public void onCompleted() {
                            latencies.add(System.nanoTime() - callStart);
                            slots.release();
                            if (latencies.size() == CALLS) {
                                done.complete(null);
                            }
                        }
                    });
        }
        done.get(120, TimeUnit.SECONDS);
        long total = System.nanoTime() - start;
        long[] result = new long[CALLS + 1];
        int i = 0;
        for (long latency : latencies) {
            result[i++] = latency;
        }
        result[CALLS] = total;
        return Arrays.copyOf(result, CALLS + 1);
    }

    private static void report(String label, long[] latenciesAndMaybeTotal, long totalNanos) {
        long[] latencies = Arrays.copyOf(latenciesAndMaybeTotal, CALLS);
        Arrays.sort(latencies);
        System.out.printf("EvaluateAiRequest %-26s %7.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", label,
                CALLS / (totalNanos / 1e9), latencies[CALLS / 2] / 1e6, latencies[CALLS * 99 / 100] / 1e6,
                latencies[CALLS - 1] / 1e6);
    }
}
