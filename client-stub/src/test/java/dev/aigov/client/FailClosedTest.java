package dev.aigov.client;

import static dev.aigov.client.FakeDecisionServer.allowDecision;
import static dev.aigov.client.FakeDecisionServer.answerWith;
import static dev.aigov.client.FakeDecisionServer.blockDecision;
import static dev.aigov.client.FakeDecisionServer.fail;
import static dev.aigov.client.FakeDecisionServer.hang;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.EvaluateAiRequestResponse;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way of not getting a trustworthy ALLOW is a block of its failure kind (GOVERNANCE_UNAVAILABLE,
 * _REJECTED_CALLER, _REJECTED_REQUEST, _CLIENT_OUTDATED) with the status that caused it, within the
 * deadline, from both the blocking and the async form.
 */
class FailClosedTest {

    /** For the tests that are not about time: a loaded machine must not turn their answer into a timeout. */
    private static final Duration PATIENT = Duration.ofSeconds(5);
    /** For the tests that are. */
    private static final Duration DEADLINE = Duration.ofMillis(300);
    private static final Duration MARGIN = Duration.ofSeconds(1);

    private FakeDecisionServer server;
    private AiGovernanceClient client;

    @BeforeEach
    void start() {
        server = FakeDecisionServer.start();
        client = clientFor(server.target(), PATIENT);
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        server.close();
    }

    private static AiGovernanceClient clientFor(String target, Duration deadline) {
        return AiGovernanceClient.builder(target).plaintext().bearerToken("test-token").deadline(deadline).build();
    }

    /** Every gRPC status code, each with the kind it must read as; the ErrorInfo reasons aigov sends with it. */
    static Stream<Arguments> everyStatusCode() {
        return Stream.of(
                Arguments.of(Status.Code.OK, null, FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.CANCELLED, null, FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.UNKNOWN, null, FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.INVALID_ARGUMENT, "ERROR_REASON_INVALID_FIELD", FailureKind.REJECTED_REQUEST),
                Arguments.of(Status.Code.DEADLINE_EXCEEDED, null, FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.NOT_FOUND, "ERROR_REASON_UNKNOWN_CONTROL_KEY", FailureKind.REJECTED_REQUEST),
                Arguments.of(Status.Code.ALREADY_EXISTS, "ERROR_REASON_REQUEST_ID_REUSED", FailureKind.REJECTED_REQUEST),
                Arguments.of(Status.Code.PERMISSION_DENIED, "ERROR_REASON_MISSING_CAPABILITY", FailureKind.REJECTED_CALLER),
                Arguments.of(Status.Code.PERMISSION_DENIED, "ERROR_REASON_WORKSPACE_NOT_PERMITTED", FailureKind.REJECTED_CALLER),
                Arguments.of(Status.Code.RESOURCE_EXHAUSTED, null, FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.RESOURCE_EXHAUSTED, "ERROR_REASON_TOO_MANY_FAILED_AUTHENTICATIONS",
                        FailureKind.REJECTED_CALLER),
                Arguments.of(Status.Code.FAILED_PRECONDITION, null, FailureKind.REJECTED_REQUEST),
                Arguments.of(Status.Code.ABORTED, "ERROR_REASON_VERSION_CONFLICT", FailureKind.REJECTED_REQUEST),
                Arguments.of(Status.Code.OUT_OF_RANGE, null, FailureKind.REJECTED_REQUEST),
                Arguments.of(Status.Code.UNIMPLEMENTED, null, FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.INTERNAL, null, FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.UNAVAILABLE, "ERROR_REASON_STORAGE_UNAVAILABLE", FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.UNAVAILABLE, "ERROR_REASON_OVERLOADED", FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.UNAVAILABLE, "ERROR_REASON_STATE_STALE", FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.DATA_LOSS, null, FailureKind.UNAVAILABLE),
                Arguments.of(Status.Code.UNAUTHENTICATED, "ERROR_REASON_INVALID_CREDENTIAL", FailureKind.REJECTED_CALLER),
                Arguments.of(Status.Code.UNAUTHENTICATED, "ERROR_REASON_MISSING_CREDENTIAL", FailureKind.REJECTED_CALLER),
                Arguments.of(Status.Code.UNAVAILABLE, "ERROR_REASON_FROM_A_NEWER_SERVER", FailureKind.UNAVAILABLE));
    }

    @Test
    void theTableCoversAll17StatusCodes() {
        assertThat(everyStatusCode().map(arguments -> arguments.get()[0]).distinct()).hasSize(Status.Code.values().length);
        assertThat(StatusCode.values()).extracting(Enum::name)
                .containsExactly(Arrays.stream(Status.Code.values()).map(Enum::name).toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("everyStatusCode")
    void everyStatusIsABlockOfItsKindCarryingTheCodeAndErrorReason(Status.Code code, String errorReason, FailureKind kind)
            throws Exception {
        server.otherwiseAnswer(fail(Status.fromCode(code).withDescription("from the fake"), errorReason));

        for (AiDecision decision : both(Requests.productAnswer())) {
            assertThat(decision.allowed()).isFalse();
            assertThat(decision.reasons()).containsExactly(kind.blockReason());
            assertThat(decision.failure()).hasValueSatisfying(failure -> {
                assertThat(failure.kind()).isEqualTo(kind);
                if (code != Status.Code.OK) {
                    assertThat(failure.code().name()).isEqualTo(code.name());
                    assertThat(failure.description()).isEqualTo("from the fake");
                    assertThat(failure.errorReasonName()).isEqualTo(errorReason == null ? "" : errorReason);
                    assertThat(failure.errorReason()).isEqualTo(errorReason == null ? ErrorReason.NONE
                            : errorReason.equals("ERROR_REASON_FROM_A_NEWER_SERVER") ? ErrorReason.UNRECOGNIZED
                            : ErrorReason.valueOf(errorReason.substring("ERROR_REASON_".length())));
                } else {
                    assertThat(failure.code()).isNotEqualTo(StatusCode.OK);
                }
            });
            assertThat(decision.decisionId()).isEmpty();
            assertThat(decision.basis()).isEmpty();
        }
        assertTheGuardHolds();
    }

    private void assertTheGuardHolds() {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        assertThatThrownBy(() -> client.runIfAllowed(Requests.productAnswer(), runs::incrementAndGet))
                .isInstanceOf(AiExecutionBlockedException.class);
        assertThatThrownBy(() -> client.runIfAllowedAsync(Requests.productAnswer(),
                () -> java.util.concurrent.CompletableFuture.completedFuture(runs.incrementAndGet()))
                .get(PATIENT.toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(AiExecutionBlockedException.class);
        assertThat(runs).hasValue(0);
    }

    @Test
    void unknownOutcomeNumberFromANewerServerIsABlock() throws Exception {
        server.otherwiseAnswer(answerWith(allowDecision().setOutcomeValue(99).build()));

        for (AiDecision decision : both(Requests.productAnswer())) {
            assertThat(decision.allowed()).isFalse();
            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_CLIENT_OUTDATED);
            assertThat(decision.failure()).hasValueSatisfying(failure -> {
                assertThat(failure.kind()).isEqualTo(FailureKind.CLIENT_OUTDATED);
                assertThat(failure.description()).contains("outcome number 99").contains("upgrade aigov-client");
            });
            // The untrusted answer's ids are kept, so the audit event can be found.
            assertThat(decision.decisionId()).isPresent();
        }
    }

    @Test
    void unspecifiedOutcomeIsABlock() throws Exception {
        server.otherwiseAnswer(answerWith(allowDecision().setOutcomeValue(0).build()));

        assertThat(both(Requests.productAnswer()))
                .allSatisfy(decision -> assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE));
    }

    static Stream<Arguments> malformedAllows() {
        return Stream.of(
                Arguments.of("no decision id", answerWith(allowDecision().clearDecisionId().build())),
                Arguments.of("no audit event id", answerWith(allowDecision().clearAuditEventId().build())),
                Arguments.of("a primary reason", answerWith(allowDecision()
                        .setReason(dev.aigov.api.v1.BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED).build())),
                Arguments.of("other reasons", answerWith(allowDecision()
                        .addAllReasons(dev.aigov.api.v1.BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED).build())),
                Arguments.of("rejected classifications", answerWith(allowDecision()
                        .addRejectedClassifications(dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_SECRET)
                        .build())),
                Arguments.of("execution paused", answerWith(allowDecision()
                        .setExecutionState(dev.aigov.api.v1.ControlState.CONTROL_STATE_PAUSED).build())),
                Arguments.of("a disabled policy", answerWith(allowDecision()
                        .setEffectivePolicyMode(dev.aigov.api.v1.PolicyMode.POLICY_MODE_DISABLED).build())),
                Arguments.of("no decision at all", answerWith(EvaluateAiRequestResponse.getDefaultInstance())));
    }

    static Stream<Arguments> allowsUnderAStateThisClientDoesNotKnow() {
        return Stream.of(
                Arguments.of("policy mode number 7", answerWith(allowDecision().setEffectivePolicyModeValue(7).build())),
                Arguments.of("execution state number 5", answerWith(allowDecision().setExecutionStateValue(5).build())));
    }

    @ParameterizedTest(name = "an ALLOW under {0}")
    @MethodSource("allowsUnderAStateThisClientDoesNotKnow")
    void anAllowUnderAModeOrStateThisClientDoesNotKnowIsABlockNamingTheUpgrade(String what, FakeDecisionServer.Answer answer)
            throws Exception {
        server.otherwiseAnswer(answer);

        for (AiDecision decision : both(Requests.productAnswer())) {
            assertThat(decision.allowed()).isFalse();
            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_CLIENT_OUTDATED);
            assertThat(decision.failure()).hasValueSatisfying(failure -> {
                assertThat(failure.kind()).isEqualTo(FailureKind.CLIENT_OUTDATED);
                assertThat(failure.description()).contains(what).contains("upgrade aigov-client")
                        .contains(AiGovernanceClient.version());
            });
            assertThat(decision.message()).contains("upgrade aigov-client");
            assertThat(decision.decisionId()).isPresent();
        }
        assertTheGuardHolds();
    }

    @ParameterizedTest(name = "an ALLOW with {0}")
    @MethodSource("malformedAllows")
    void anAllowThatIsIncompleteOrContradictoryIsABlock(String what, FakeDecisionServer.Answer answer)
            throws Exception {
        server.otherwiseAnswer(answer);

        for (AiDecision decision : both(Requests.productAnswer())) {
            assertThat(decision.allowed()).isFalse();
            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(decision.failure()).map(GovernanceFailure::code).contains(StatusCode.INTERNAL);
        }
    }

    @Test
    void unknownBlockReasonFromANewerServerIsStillABlockWithItsKnownReasons() throws Exception {
        server.otherwiseAnswer(answerWith(blockDecision(dev.aigov.api.v1.BlockReason.forNumber(1))
                .setReasonValue(42)
                .clearAllReasons()
                .addAllReasonsValue(42)
                .addAllReasons(dev.aigov.api.v1.BlockReason.BLOCK_REASON_SOURCE_FAMILY_NOT_PERMITTED)
                .build()));

        for (AiDecision decision : both(Requests.productAnswer())) {
            assertThat(decision.allowed()).isFalse();
            assertThat(decision.reasons())
                    .containsExactly(BlockReason.UNRECOGNIZED, BlockReason.SOURCE_FAMILY_NOT_PERMITTED);
            assertThat(decision.failure()).isEmpty();
        }
    }

    @Test
    void unreachableServerIsABlockWithinTheDeadline() throws Exception {
        try (AiGovernanceClient unreachable = clientFor("127.0.0.1:" + unusedLoopbackPort(), DEADLINE)) {
            long started = System.nanoTime();
            AiDecision decision = unreachable.evaluate(Requests.productAnswer());
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(decision.allowed()).isFalse();
            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(decision.failure()).map(GovernanceFailure::code)
                    .hasValueSatisfying(code -> assertThat(code).isIn(StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED));
            assertThat(took).isLessThan(DEADLINE.plus(MARGIN));

            AiDecision async = unreachable.evaluateAsync(Requests.productAnswer())
                    .get(DEADLINE.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
            assertThat(async.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
        }
    }

    @Test
    void hangingServerIsABlockAtTheDeadline() throws Exception {
        server.otherwiseAnswer(hang());
        client.close();
        client = clientFor(server.target(), DEADLINE);

        long started = System.nanoTime();
        AiDecision decision = client.evaluate(Requests.productAnswer());
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
        assertThat(decision.failure()).map(GovernanceFailure::code).contains(StatusCode.DEADLINE_EXCEEDED);
        assertThat(took).isBetween(DEADLINE.minusMillis(50), DEADLINE.plus(MARGIN));
    }

    @Test
    void hangingServerCompletesTheAsyncFormWithABlockAtTheDeadline() throws Exception {
        server.otherwiseAnswer(hang());
        client.close();
        client = clientFor(server.target(), DEADLINE);

        AiDecision decision = client.evaluateAsync(Requests.productAnswer())
                .get(DEADLINE.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);

        assertThat(decision.failure()).map(GovernanceFailure::code).contains(StatusCode.DEADLINE_EXCEEDED);
    }

    @Test
    void closedClientBlocks() {
        client.close();

        AiDecision decision = client.evaluate(Requests.productAnswer());

        assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
        assertThat(decision.failure()).map(GovernanceFailure::code).contains(StatusCode.UNAVAILABLE);
        assertThat(server.requests).isEmpty();
    }

    @Test
    void failingTokenSupplierBlocksWithoutCallingTheServer() {
        try (AiGovernanceClient noToken = AiGovernanceClient.builder(server.target()).plaintext()
                .bearerToken(() -> {
                    throw new IllegalStateException("vault unreachable");
                })
                .build()) {
            AiDecision decision = noToken.evaluate(Requests.productAnswer());

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_REJECTED_CALLER);
            assertThat(decision.failure()).map(GovernanceFailure::code).contains(StatusCode.UNAUTHENTICATED);
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void asyncFormNeverCompletesExceptionally() throws Exception {
        server.otherwiseAnswer(fail(Status.INTERNAL, null));

        var future = client.evaluateAsync(Requests.productAnswer());

        assertThat(future.get(PATIENT.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS).allowed()).isFalse();
        assertThat(future).isCompletedWithValueMatching(decision -> !decision.allowed());
    }

    /** Asks once through the blocking form and once through the async form. */
    private java.util.List<AiDecision> both(AiRequest request) throws Exception {
        AiDecision blocking = client.evaluate(request);
        AiDecision async = client.evaluateAsync(request).get(PATIENT.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        return java.util.List.of(blocking, async);
    }

    static int unusedLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
