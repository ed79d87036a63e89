package dev.aigov.server.grpc;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.Message;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.GetExecutionControlRequest;
import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.ListExecutionControlHistoryRequest;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With its database gone the server fails closed: every call is UNAVAILABLE with
 * ERROR_REASON_STORAGE_UNAVAILABLE within a bounded time, never an allow, never UNKNOWN or
 * INTERNAL, and the server itself stays up (live) while it reports its services not ready. Runs
 * on a private database, which it stops.
 */
// One instance for the class: the database is stopped once, after one allow, for every test.
@WithAigovServer(transport = WithAigovServer.Transport.NETTY, privateDatabase = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageTest {
    /** The pool waits 2 s for a connection; the rest is slack for a loaded machine. */
    private static final Duration BOUND = Duration.ofSeconds(10);
    /** Two health-check intervals and a check's connection wait, with slack for a loaded machine. */
    private static final Duration HEALTH_BOUND = Duration.ofSeconds(30);

    private final TestDatabase database;
    private final TestServer server;
    private final Clients clients;
    private final String admin;
    private final String workspace = freshWorkspace();

    DatabaseOutageTest(AigovServerExtension.Aigov aigov) {
        this.database = aigov.privateDatabase().orElseThrow();
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    @BeforeAll
    void allowWhileUpThenStopTheDatabase() {
        clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        assertThat(evaluate().getOutcome()).as("the same request while the database is up").isEqualTo(Outcome.OUTCOME_ALLOW);

        database.stopPostgres();
    }

    private Decision evaluate() {
        return clients.decisions(admin).evaluateAiRequest(DecisionEndToEndTest.answerDraft(workspace)
                .setRequestId(UUID.randomUUID().toString()).build()).getDecision();
    }

    @Test
    void evaluateFailsClosedWithinTheBound() {
        // Storage unavailable while the in-memory state is still within its staleness bound (the
        // audit record cannot be written); state stale once it is not.
        for (int attempt = 0; attempt < 3; attempt++) {
            assertUnavailableWithinBound(this::evaluate, "ERROR_REASON_STORAGE_UNAVAILABLE", "ERROR_REASON_STATE_STALE");
        }
    }

    @Test
    void theInMemoryStateGoesStaleWithinTheStalenessBoundAndEvaluateStaysUnavailable() {
        // AIGOV_MAX_STALENESS is 1 s; the slack is for a loaded machine. With the database gone,
        // the token cannot be checked either: the answer is STORAGE_UNAVAILABLE, never an allow.
        long deadline = System.nanoTime() + Duration.ofSeconds(1).plus(BOUND).toNanos();
        while (server.decisionState().current()) {
            assertThat(System.nanoTime()).as("stale within the staleness bound").isLessThan(deadline);
            assertUnavailableWithinBound(this::evaluate, "ERROR_REASON_STORAGE_UNAVAILABLE", "ERROR_REASON_STATE_STALE");
        }
        assertUnavailableWithinBound(this::evaluate, "ERROR_REASON_STORAGE_UNAVAILABLE", "ERROR_REASON_STATE_STALE");
    }

    Stream<Arguments> otherCalls() {
        return Stream.of(
                arguments("SetWorkspacePolicy", (Supplier<Message>) () -> clients.policies(admin).setWorkspacePolicy(
                        SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                                .setPolicyMode(PolicyMode.POLICY_MODE_DISABLED).build())),
                arguments("GetWorkspacePolicy", (Supplier<Message>) () -> clients.policies(admin).getWorkspacePolicy(
                        GetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace).build())),
                arguments("SetExecutionControl", (Supplier<Message>) () -> clients.controls(admin).setExecutionControl(
                        SetExecutionControlRequest.newBuilder().setControlKey("ai.execution").setWorkspaceId(workspace)
                                .setState(ControlState.CONTROL_STATE_PAUSED).setReason("outage drill").build())),
                arguments("GetExecutionControl", (Supplier<Message>) () -> clients.controls(admin).getExecutionControl(
                        GetExecutionControlRequest.newBuilder().setControlKey("ai.execution").setWorkspaceId(workspace).build())),
                arguments("ListExecutionControlHistory", (Supplier<Message>) () -> clients.controls(admin)
                        .listExecutionControlHistory(
                                ListExecutionControlHistoryRequest.newBuilder().setControlKey("ai.execution").build())),
                arguments("ListAuditEvents", (Supplier<Message>) () -> clients.audit(admin)
                        .listAuditEvents(ListAuditEventsRequest.newBuilder().setWorkspaceId(workspace).build())),
                arguments("ListUseCases", (Supplier<Message>) () -> clients.decisions(admin)
                        .listUseCases(ListUseCasesRequest.getDefaultInstance())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherCalls")
    void everyOtherCallIsUnavailableToo(String method, Supplier<Message> call) {
        assertStorageUnavailableWithinBound(call::get);
    }

    @Test
    void readinessGoesNotServingWhileLivenessStaysServing() throws InterruptedException {
        // The server checks its database every 5 s, each check waiting at most 2 s for a connection.
        long deadline = System.nanoTime() + HEALTH_BOUND.toNanos();
        ServingStatus decisionService = health("aigov.v1.DecisionService");
        while (decisionService != ServingStatus.NOT_SERVING && System.nanoTime() < deadline) {
            Thread.sleep(50); // pacing only: the deadline decides when to stop asking
            decisionService = health("aigov.v1.DecisionService");
        }

        assertThat(decisionService).as("aigov.v1.DecisionService (readiness) within %s", HEALTH_BOUND)
                .isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(health("")).as("the server as a whole (liveness)").isEqualTo(ServingStatus.SERVING);
    }

    private ServingStatus health(String service) {
        return HealthGrpc.newBlockingStub(clients.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    @Test
    void callWithoutATokenIsStillUnauthenticatedNotUnavailable() {
        // Nothing needs the database to see that no credential was sent.
        assertThatThrownBy(() -> clients.decisions(null).listUseCases(ListUseCasesRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_MISSING_CREDENTIAL");
                });
    }

    private static void assertStorageUnavailableWithinBound(Supplier<Object> call) {
        assertUnavailableWithinBound(call, "ERROR_REASON_STORAGE_UNAVAILABLE");
    }

    private static void assertUnavailableWithinBound(Supplier<Object> call, String... reasons) {
        long started = System.nanoTime();
        assertThatThrownBy(call::get)
                .as("no answer may be given without the database")
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(Clients.errorInfo(error).getDomain()).isEqualTo("aigov");
                    assertThat(Clients.errorInfo(error).getReason()).isIn((Object[]) reasons);
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOUND);
    }
}
