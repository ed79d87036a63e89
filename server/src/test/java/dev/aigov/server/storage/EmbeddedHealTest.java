package dev.aigov.server.storage;

import static dev.aigov.server.testing.Requests.answerDraft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.ServerProcess;
import dev.aigov.server.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL's postmaster killed (SIGKILL) under load: calls answer UNAVAILABLE
 * meanwhile (never UNKNOWN or INTERNAL, never an ALLOW without its audit event), and the server
 * serves again by itself, within {@link #HEAL_BOUND}, with liveness SERVING throughout.
 */
// It waits up to 60 s for calls to succeed again after each crash.
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedHealTest {
    /** The bound this test holds healing to: detection (0.5 s) + crash recovery + the pool reconnecting, with slack. */
    static final Duration HEAL_BOUND = Duration.ofSeconds(30);

    @Test
    void aKilledPostmasterIsStartedAgainAndTheServerServesByItself(@TempDir Path home) throws Exception {
        try (Database database =
                Database.open(new DatabaseConfig(Optional.empty(), home, 4, Duration.ofSeconds(2)), Database.EmbeddedUse.OWN);
             TestServer server = TestServer.startOn(database);
             Clients clients = new Clients(server)) {
            String token = server.adminToken();
            String workspace = Clients.freshWorkspace();
            clients.policies(token).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                    .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());

            Map<Status.Code, AtomicInteger> codes = new ConcurrentHashMap<>();
            Set<UUID> allowed = ConcurrentHashMap.newKeySet();
            AtomicLong lastFailureNanos = new AtomicLong();
            ConcurrentLinkedQueue<Long> successNanos = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                callers.add(Thread.ofPlatform().start(() -> {
                    DecisionServiceGrpc.DecisionServiceBlockingStub stub = clients.decisions(token);
                    while (!stop.get()) {
                        try {
                            EvaluateAiRequestResponse response = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                                    .evaluateAiRequest(answerDraft(workspace).build());
                            codes.computeIfAbsent(Status.Code.OK, ignored -> new AtomicInteger()).incrementAndGet();
                            if (response.getDecision().getOutcome() == Outcome.OUTCOME_ALLOW) {
                                allowed.add(UUID.fromString(response.getDecision().getAuditEventId()));
                            }
                            successNanos.add(System.nanoTime());
                        } catch (StatusRuntimeException e) {
                            codes.computeIfAbsent(e.getStatus().getCode(), ignored -> new AtomicInteger()).incrementAndGet();
                            lastFailureNanos.set(System.nanoTime());
                        }
                    }
                }));
            }
            awaitSuccesses(successNanos, 100, Duration.ofSeconds(60));

            long postmaster = Long.parseLong(Files.readAllLines(home.resolve("pgdata/postmaster.pid")).getFirst().trim());
            long killedAt = System.nanoTime();
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();

            // Served again: a success that started after the kill was noticed (some call failed after it).
            long healedAt = awaitSuccessAfterFailure(successNanos, lastFailureNanos, killedAt, HEAL_BOUND);
            Duration heal = Duration.ofNanos(healedAt - killedAt);
            awaitSuccesses(successNanos, successNanos.size() + 100, Duration.ofSeconds(30));
            stop.set(true);
            for (Thread caller : callers) {
                caller.join(TimeUnit.SECONDS.toMillis(30));
            }
            System.out.printf("Heal after the postmaster was killed: serving again %d ms after the kill; answers %s%n",
                    heal.toMillis(), codes);

            assertThat(heal).isLessThan(HEAL_BOUND);
            assertThat(codes.keySet()).containsOnly(Status.Code.OK, Status.Code.UNAVAILABLE);
            assertThat(codes.get(Status.Code.UNAVAILABLE)).as("calls during the outage").isNotNull();
            assertThat(HealthGrpc.newBlockingStub(clients.channel()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .as("liveness").isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            assertThat(database.alive()).isTrue();
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            // Every ALLOW answered, before, during and after the outage, has its audit event.
            assertThat(auditEventsAmong(database, allowed)).isEqualTo(allowed.size());
        }
    }

    private static void awaitSuccesses(ConcurrentLinkedQueue<Long> successes, int count, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (successes.size() < count) {
            assertThat(System.nanoTime()).as("%d successful calls within %s", count, bound).isLessThan(deadline);
            ServerProcess.pause(Duration.ofMillis(20));
        }
    }

    private static long awaitSuccessAfterFailure(ConcurrentLinkedQueue<Long> successes, AtomicLong lastFailure, long killedAt,
            Duration bound) {
        long deadline = killedAt + bound.toNanos();
        while (System.nanoTime() < deadline) {
            long failure = lastFailure.get();
            if (failure > killedAt) {
                Optional<Long> after = successes.stream().filter(at -> at > failure).findFirst();
                if (after.isPresent() && successes.stream().filter(at -> at > failure).count() >= 20) {
                    return after.get();
                }
            }
            ServerProcess.pause(Duration.ofMillis(20));
        }
        throw new AssertionError("the server did not serve again within " + bound);
    }

    private static int auditEventsAmong(Database database, Set<UUID> ids) throws Exception {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM audit_events WHERE event_id = ANY(?)")) {
            Array array = connection.createArrayOf("uuid", ids.toArray());
            statement.setArray(1, array);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
