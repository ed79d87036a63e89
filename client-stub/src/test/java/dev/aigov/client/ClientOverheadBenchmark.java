package dev.aigov.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the library costs over the raw generated stub, in the same process against the same server
 * (alternating rounds, so both see the same machine), and how fast it blocks once the server is
 * gone. Prints figures, asserts only that the answers are what they must be. Not part of the
 * default run:
 * {@code ./mvnw -B -pl client-stub -am verify -Dgroups=benchmark -Daigov.excludedGroups= -Daigov.redirectTestOutput=false
 * -Dtest=ClientOverheadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class ClientOverheadBenchmark {
    private static final int ROUNDS = 5;
    private static final int CALLS_PER_ROUND = 400;

    @Test
    void printsLibraryOverheadAgainstTheRawStubAndTimeToBlock() throws Exception {
        TestServer server = TestServer.start();
        String token = server.adminToken();
        String workspace = "ws-" + UUID.randomUUID();
        ManagedChannel raw = NettyChannelBuilder.forTarget(server.target()).usePlaintext().build();
        try (AiGovernanceClient client = AiGovernanceClient.builder(server.target()).plaintext().bearerToken(token)
                .deadline(Duration.ofSeconds(5)).build()) {
            client.admin().setWorkspacePolicy(workspace, PolicyMode.PRIVATE_ONLY, "benchmark");
            AiRequest request = Requests.productAnswer(workspace).build();
            EvaluateAiRequestRequest proto = RawRequest.of(workspace);
            Supplier<Boolean> viaStub = () -> Clients.withToken(DecisionServiceGrpc.newBlockingStub(raw), token)
                    .evaluateAiRequest(proto.toBuilder().setRequestId(UUID.randomUUID().toString()).build())
                    .getDecision().getOutcome() == dev.aigov.api.v1.Outcome.OUTCOME_ALLOW;
            Supplier<Boolean> viaClient = () -> client.evaluate(request).allowed();

            measure(viaStub, CALLS_PER_ROUND);
            measure(viaClient, CALLS_PER_ROUND);
            long[] stub = new long[0];
            long[] library = new long[0];
            for (int round = 0; round < ROUNDS; round++) {
                stub = concat(stub, measure(viaStub, CALLS_PER_ROUND));
                library = concat(library, measure(viaClient, CALLS_PER_ROUND));
            }
            report("raw stub (baseline)", stub, percentile(stub, 50));
            report("AiGovernanceClient", library, percentile(stub, 50));

            server.stop();
            AiRequest anywhere = Requests.productAnswer();
            long[] toBlock = measure(() -> !client.evaluate(anywhere).allowed(), 200);
            report("BLOCK, server stopped", toBlock, 0);
        } finally {
            raw.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }

    /** Latencies of {@code calls} sequential calls, each of which must answer true. */
    private static long[] measure(Supplier<Boolean> call, int calls) {
        long[] latencies = new long[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            assertThat(call.get()).isTrue();
            latencies[i] = System.nanoTime() - start;
        }
        return latencies;
    }

    private static long percentile(long[] values, int percentile) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)];
    }

    private static void report(String label, long[] latencies, long baselineP50) {
        long p50 = percentile(latencies, 50);
        System.out.printf("%-24s n=%5d  p50 %6.3f ms  p99 %6.3f ms%s%n", label, latencies.length, p50 / 1e6,
                percentile(latencies, 99) / 1e6, baselineP50 > 0 ? String.format("  p50 ratio %.2f", (double) p50 / baselineP50) : "");
    }

    private static long[] concat(long[] a, long[] b) {
        long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The raw request the stub sends: the same as {@link Requests#productAnswer(String)}. */
    private static final class RawRequest {
        static EvaluateAiRequestRequest of(String workspace) {
            return EvaluateAiRequestRequest.newBuilder()
                    .setWorkspaceId(workspace)
                    .setUseCase("product_knowledge.answer_draft")
                    .setProviderClass(dev.aigov.api.v1.ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                    .addDataClassifications(dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE)
                    .setSourceFamily("product_knowledge")
                    .setActor(dev.aigov.api.v1.Actor.newBuilder().setId("user-7").setKind(dev.aigov.api.v1.ActorKind.ACTOR_KIND_USER))
                    .setCallerSurface("tests.client")
                    .build();
        }
    }
}
