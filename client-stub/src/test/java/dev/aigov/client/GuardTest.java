package dev.aigov.client;

import static dev.aigov.client.FakeDecisionServer.allowDecision;
import static dev.aigov.client.FakeDecisionServer.answerWith;
import static dev.aigov.client.FakeDecisionServer.blockDecision;
import static dev.aigov.client.FakeDecisionServer.fail;
import static dev.aigov.client.FakeDecisionServer.hang;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The guards run the work after an ALLOW, and never otherwise. */
class GuardTest {

    /** Long enough for any answer on a loaded machine; the hang case waits a short deadline instead. */
    private static final Duration PATIENT = Duration.ofSeconds(5);
    private static final Duration SHORT = Duration.ofMillis(300);

    private FakeDecisionServer server;
    private AiGovernanceClient client;
    private final AtomicInteger workRuns = new AtomicInteger();
    private final ExecutorService workers = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() {
        server = FakeDecisionServer.start();
        client = clientWithDeadline(PATIENT);
    }

    private AiGovernanceClient clientWithDeadline(Duration deadline) {
        return AiGovernanceClient.builder(server.target()).plaintext().bearerToken("t").deadline(deadline).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        workers.shutdownNow();
        client.close();
        server.close();
    }

    private String callTheModel() {
        workRuns.incrementAndGet();
        return "draft";
    }

    static Stream<Arguments> everythingButAnAllow() {
        return Stream.of(
                Arguments.of("a server BLOCK", answerWith(blockDecision(
                        dev.aigov.api.v1.BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED).build()), PATIENT),
                Arguments.of("UNAVAILABLE", fail(Status.UNAVAILABLE, "ERROR_REASON_STORAGE_UNAVAILABLE"), PATIENT),
                Arguments.of("UNAUTHENTICATED", fail(Status.UNAUTHENTICATED, "ERROR_REASON_INVALID_CREDENTIAL"), PATIENT),
                Arguments.of("INVALID_ARGUMENT", fail(Status.INVALID_ARGUMENT, "ERROR_REASON_INVALID_FIELD"), PATIENT),
                Arguments.of("a hang past the deadline", hang(), SHORT),
                Arguments.of("outcome number 99", answerWith(allowDecision().setOutcomeValue(99).build()), PATIENT),
                Arguments.of("an ALLOW without a decision id",
                        answerWith(allowDecision().clearDecisionId().build()), PATIENT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everythingButAnAllow")
    void runIfAllowedNeverRunsTheWork(String what, FakeDecisionServer.Answer answer, Duration deadline) {
        server.otherwiseAnswer(answer);
        client.close();
        client = clientWithDeadline(deadline);

        assertThatThrownBy(() -> client.runIfAllowed(Requests.productAnswer(), this::callTheModel))
                .isInstanceOfSatisfying(AiExecutionBlockedException.class,
                        blocked -> assertThat(blocked.decision().allowed()).isFalse());
        assertThatThrownBy(() -> client.requireAllowed(Requests.productAnswer()))
                .isInstanceOf(AiExecutionBlockedException.class);
        assertThat(workRuns).hasValue(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everythingButAnAllow")
    void runIfAllowedAsyncNeverRunsTheWork(String what, FakeDecisionServer.Answer answer, Duration deadline) {
        server.otherwiseAnswer(answer);
        client.close();
        client = clientWithDeadline(deadline);

        List<CompletableFuture<String>> futures = List.of(
                client.runIfAllowedAsync(Requests.productAnswer(),
                        () -> CompletableFuture.completedFuture(callTheModel())),
                client.runIfAllowedAsync(Requests.productAnswer(),
                        () -> CompletableFuture.supplyAsync(this::callTheModel, workers)));

        assertThat(futures).allSatisfy(future -> assertThatThrownBy(() -> future.get(PATIENT.toSeconds() + 1, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(AiExecutionBlockedException.class));
        assertThat(workRuns).hasValue(0);
    }

    @Test
    void runIfAllowedRunsTheWorkOnceAfterAnAllowAndReturnsItsResult() throws Exception {
        assertThat(client.runIfAllowed(Requests.productAnswer(), this::callTheModel)).isEqualTo("draft");
        assertThat(client.runIfAllowedAsync(Requests.productAnswer(),
                () -> CompletableFuture.completedFuture(callTheModel())).get(5, TimeUnit.SECONDS)).isEqualTo("draft");
        assertThat(client.runIfAllowedAsync(Requests.productAnswer(),
                () -> CompletableFuture.supplyAsync(this::callTheModel, workers)).get(5, TimeUnit.SECONDS)).isEqualTo("draft");
        assertThat(workRuns).hasValue(3);
    }

    @Test
    void requireAllowedReturnsTheAllow() {
        AiDecision decision = client.requireAllowed(Requests.productAnswer());

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.decisionId()).isPresent();
    }

    @Test
    void theWorksOwnCheckedExceptionPassesThroughUnchanged() {
        IOException modelDown = new IOException("model down");

        assertThatThrownBy(() -> client.runIfAllowed(Requests.productAnswer(), () -> {
            throw modelDown;
        })).isSameAs(modelDown);
    }

    @Test
    void theBlockedExceptionCarriesTheDecisionForThePerson() {
        server.otherwiseAnswer(answerWith(blockDecision(
                dev.aigov.api.v1.BlockReason.BLOCK_REASON_WORKSPACE_POLICY_DISABLED).build()));

        assertThatThrownBy(() -> client.runIfAllowed(Requests.productAnswer(), this::callTheModel))
                .isInstanceOfSatisfying(AiExecutionBlockedException.class, blocked -> {
                    assertThat(blocked.decision().reason()).contains(BlockReason.WORKSPACE_POLICY_DISABLED);
                    assertThat(blocked.decision().message()).isEqualTo("Blocked.");
                    assertThat(blocked.getMessage()).contains("WORKSPACE_POLICY_DISABLED");
                });
    }
}
