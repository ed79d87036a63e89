package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.api.v1.SetWorkspacePolicyResponse;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import dev.aigov.server.audit.DeniedMutations;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 10,000 SetWorkspacePolicy calls with made-up tokens from one address: each is refused, the
 * database is asked about only the peer's budget of them, the trail grows by a bounded number of
 * rows that still account for every refusal, and a valid token from the same address keeps its speed.
 */
class FailedAuthenticationFloodTest {
    private static final String SET_METHOD = WorkspacePolicyServiceGrpc.getSetWorkspacePolicyMethod().getFullMethodName();
    private static final int ATTEMPTS = 10_000;
    /** Per window: the first DEFAULT_INDIVIDUAL_PER_WINDOW refusals on their own, then one aggregate per reason. */
    static final int ROWS_PER_WINDOW = DeniedMutations.DEFAULT_INDIVIDUAL_PER_WINDOW + 1 + 1;

    @Test
    void tenThousandFailedAuthenticationsAddABoundedNumberOfRowsAndLeaveTheValidTokenAtFullSpeed() throws Exception {
        Instant start = Instant.now();
        long startNanos = System.nanoTime();
        Map<Status.Code, AtomicInteger> codes = new ConcurrentHashMap<>();
        Set<String> reasons = ConcurrentHashMap.newKeySet();
        Duration before;
        Duration after;
        TestServer server = TestServer.startWithLimits(ServerConfig.AuthLimits.DEFAULT);
        try (Clients clients = new Clients(server)) {
            String valid = server.mintToken("flood-valid", Set.of("workspace.ai_policy.manage"), List.of());
            String workspace = Clients.freshWorkspace();
            before = timeValidCalls(clients, valid, workspace);

            WorkspacePolicyServiceGrpc.WorkspacePolicyServiceFutureStub stub = WorkspacePolicyServiceGrpc.newFutureStub(clients.channel());
            Semaphore inFlight = new Semaphore(32);
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < ATTEMPTS; i++) {
                inFlight.acquire();
                Futures.addCallback(Clients.withToken(stub, madeUpToken(random)).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                                .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build()),
                        new FutureCallback<SetWorkspacePolicyResponse>() {
                            @Override
                            public void onSuccess(SetWorkspacePolicyResponse result) {
                                codes.computeIfAbsent(Status.Code.OK, ignored -> new AtomicInteger()).incrementAndGet();
                                inFlight.release();
                            }

                            @Override
                            public void onFailure(Throwable failure) {
                                StatusRuntimeException status = (StatusRuntimeException) failure;
                                codes.computeIfAbsent(status.getStatus().getCode(), ignored -> new AtomicInteger()).incrementAndGet();
                                reasons.add(Clients.errorInfo(status).getReason());
                                inFlight.release();
                            }
                        }, MoreExecutors.directExecutor());
            }
            inFlight.acquire(32);
            after = timeValidCalls(clients, valid, workspace);
        } finally {
            server.close(); // ends the window: the aggregates are written
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);

        assertThat(codes.keySet()).containsOnly(Status.Code.UNAUTHENTICATED, Status.Code.RESOURCE_EXHAUSTED);
        assertThat(codes.get(Status.Code.UNAUTHENTICATED).get() + codes.get(Status.Code.RESOURCE_EXHAUSTED).get()).isEqualTo(ATTEMPTS);
        // Only the budget (30 at once, 5 a second) reaches the token lookup.
        ServerConfig.AuthLimits limits = ServerConfig.AuthLimits.DEFAULT;
        assertThat(codes.get(Status.Code.UNAUTHENTICATED).get())
                .isLessThanOrEqualTo(
                        limits.failureBurst() + (int) Math.ceil(limits.failuresPerSecond() * (elapsed.toMillis() / 1000.0 + 1)));
        assertThat(reasons).containsOnly("ERROR_REASON_INVALID_CREDENTIAL", "ERROR_REASON_TOO_MANY_FAILED_AUTHENTICATIONS");

        long windows = elapsed.toMillis() / DeniedMutations.DEFAULT_WINDOW.toMillis() + 2;
        int rows = deniedRowsSince(server, start, "count(*)");
        System.out.printf(
                "%d failed authentications in %d ms added %d audit rows (bound %d); valid token: %d ms per 200 calls before, %d ms after%n",
                ATTEMPTS, elapsed.toMillis(), rows, ROWS_PER_WINDOW * windows, before.toMillis(), after.toMillis());
        assertThat(rows).isLessThanOrEqualTo((int) (ROWS_PER_WINDOW * windows));
        // Nothing is lost: the individual rows and the aggregates' counts add up to every refusal.
        assertThat(deniedRowsSince(server, start, "sum(coalesce(repeat_count, 1))")).isEqualTo(ATTEMPTS);
        // Full speed: the flood's exhausted budget does not slow the valid token (generous, for a noisy shared machine).
        assertThat(after).isLessThan(before.multipliedBy(3).plusMillis(500));
    }

    /** 200 sequential calls with the valid token, each must succeed. */
    private static Duration timeValidCalls(Clients clients, String token, String workspace) {
        long started = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            clients.policies(token).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getWorkspacePolicy(GetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace).build());
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static String madeUpToken(SecureRandom random) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        StringBuilder token = new StringBuilder("aigov_");
        for (int i = 0; i < 43; i++) {
            token.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return token.toString();
    }

    private static int deniedRowsSince(TestServer server, Instant start, String aggregate) throws SQLException {
        try (Connection connection = server.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT " + aggregate + " FROM audit_events"
                     + " WHERE kind = 'mutation_denied' AND method = ? AND occurred_at >= ? AND principal IS NULL")) {
            statement.setString(1, SET_METHOD);
            statement.setTimestamp(2, Timestamp.from(start));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
