package dev.aigov.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.client.example.IncidentSwitch;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The library against the real server, over a real channel, on a random loopback port, with the
 * run's embedded PostgreSQL. Each test uses fresh workspaces; pauses are per workspace and resumed.
 */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealServerTest {

    /** Generous, for the tests that are not about time: a loaded CI machine must not turn them into blocks. */
    private static final Duration PATIENT = Duration.ofSeconds(10);
    private static final Duration MARGIN = Duration.ofSeconds(1);

    private final TestServer server;
    /** One client for the class, as an application holds one. */
    private final AiGovernanceClient client;

    RealServerTest(TestServer server) {
        this.server = server;
        this.client = clientOf(server, server.adminToken(), PATIENT);
    }

    @AfterAll
    void closeClient() {
        client.close();
    }

    private static AiGovernanceClient clientOf(TestServer target, String token, Duration deadline) {
        return AiGovernanceClient.builder(target.target())
                .plaintext()
                .bearerToken(token)
                .deadline(deadline)
                .adminDeadline(PATIENT)
                // STRICT, the default: every ALLOW below stands only with a receipt the real server signed.
                .build();
    }

    private static String freshWorkspace() {
        return "ws-" + UUID.randomUUID();
    }

    private static String privateOnlyWorkspace(AiGovernanceClient via) {
        String workspace = freshWorkspace();
        via.admin().setWorkspacePolicy(workspace, PolicyMode.PRIVATE_ONLY, "client library test");
        eventually(via, Requests.productAnswer(workspace).build(), AiDecision::allowed);
        return workspace;
    }

    /** Asks until the decision matches (a replica may apply a change a moment later), for at most 10 s. */
    private static AiDecision eventually(AiGovernanceClient via, AiRequest request, Predicate<AiDecision> wanted) {
        long giveUp = System.nanoTime() + PATIENT.toNanos();
        AiDecision decision = via.evaluate(request);
        while (!wanted.test(decision) && System.nanoTime() < giveUp) {
            // Poll, not spin: each attempt is a real decision with its own audit event.
            java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(20).toNanos());
            decision = via.evaluate(request);
        }
        return decision;
    }

    // ---- the typed API: allow and every block reason ----

    @Test
    void anAllowThroughTheTypedApiIsAuditedUnderItsRequestId() throws SQLException {
        String workspace = privateOnlyWorkspace(client);

        AiDecision decision = client.evaluate(Requests.productAnswer(workspace).build());

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.reason()).isEmpty();
        assertThat(decision.failure()).isEmpty();
        assertThat(decision.basis()).hasValueSatisfying(basis -> {
            assertThat(basis.effectivePolicyMode()).isEqualTo(PolicyMode.PRIVATE_ONLY);
            assertThat(basis.policyVersion()).isEqualTo(1);
            assertThat(basis.executionState()).isEqualTo(ControlState.ENABLED);
        });
        assertThat(auditedDecisionIds(decision.requestId())).containsExactly(decision.decisionId().orElseThrow());
    }

    @Test
    void theAsyncFormGetsTheSameAllow() throws Exception {
        String workspace = privateOnlyWorkspace(client);

        AiDecision decision = client.evaluateAsync(Requests.productAnswer(workspace).build())
                .get(PATIENT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(decision.allowed()).isTrue();
        assertThat(auditedDecisionIds(decision.requestId())).containsExactly(decision.decisionId().orElseThrow());
    }

    static Stream<Arguments> blockReasons() {
        return Stream.of(
                Arguments.of(BlockReason.USE_CASE_NOT_APPROVED,
                        (UnaryOperator<AiRequest.Builder>) r -> r.useCase("marketing.copy_draft")),
                Arguments.of(BlockReason.PROVIDER_CLASS_NOT_PERMITTED,
                        (UnaryOperator<AiRequest.Builder>) r -> r.providerClass(ProviderClass.EXTERNAL_PUBLIC)),
                Arguments.of(BlockReason.TENANT_CONTEXT_NOT_PERMITTED,
                        (UnaryOperator<AiRequest.Builder>) r -> r.tenantId("tenant-1")),
                Arguments.of(BlockReason.SOURCE_FAMILY_NOT_PERMITTED,
                        (UnaryOperator<AiRequest.Builder>) r -> r.sourceFamily(SourceFamily.SUPPORT_DIAGNOSTICS)),
                Arguments.of(BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED,
                        (UnaryOperator<AiRequest.Builder>) r -> r.dataClassifications(DataClassification.PERSONAL_DATA)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blockReasons")
    void eachRuleOfThePrivateOnlyCatalogBlocksWithItsReasonAndTheGuardHolds(
            BlockReason expected, UnaryOperator<AiRequest.Builder> breakRule) throws SQLException {
        String workspace = privateOnlyWorkspace(client);
        AiRequest request = breakRule.apply(Requests.productAnswer(workspace)).build();

        assertBlockedByTheServer(client.evaluate(request), expected);
        assertTheGuardHolds(client, request);
    }

    @Test
    void aWorkspaceThatNeverSetAPolicyBlocksAsDisabled() throws SQLException {
        AiRequest request = Requests.productAnswer(freshWorkspace()).build();

        AiDecision decision = client.evaluate(request);

        assertBlockedByTheServer(decision, BlockReason.WORKSPACE_POLICY_DISABLED);
        assertThat(decision.basis()).map(DecisionBasis::effectivePolicyMode).contains(PolicyMode.DISABLED);
        assertTheGuardHolds(client, request);
    }

    @Test
    void aPausedWorkspaceBlocksAsPausedUntilResumed() throws SQLException {
        String workspace = privateOnlyWorkspace(client);
        AiRequest request = Requests.productAnswer(workspace).build();
        ControlScope scope = ControlScope.workspace(workspace);
        try {
            client.admin().setExecutionControl(scope, ControlState.PAUSED, "client library test");

            AiDecision decision = eventually(client, request, d -> !d.allowed());

            assertBlockedByTheServer(decision, BlockReason.AI_EXECUTION_PAUSED);
            assertThat(decision.basis()).map(DecisionBasis::executionState).contains(ControlState.PAUSED);
            assertTheGuardHolds(client, request);
        } finally {
            client.admin().setExecutionControl(scope, ControlState.ENABLED, "client library test done");
        }
        assertThat(eventually(client, request, AiDecision::allowed).allowed()).isTrue();
    }

    @Test
    void everyFailingRuleIsReportedPrimaryFirstWithTheRejectedClassifications() {
        String workspace = privateOnlyWorkspace(client);

        AiDecision decision = client.evaluate(Requests.productAnswer(workspace)
                .providerClass(ProviderClass.EXTERNAL_PUBLIC)
                .tenantId("tenant-1")
                .dataClassifications(DataClassification.SECRET, DataClassification.PERSONAL_DATA)
                .build());

        assertThat(decision.reasons()).containsExactly(
                BlockReason.PROVIDER_CLASS_NOT_PERMITTED,
                BlockReason.TENANT_CONTEXT_NOT_PERMITTED,
                BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED);
        assertThat(decision.rejectedClassifications())
                .containsExactlyInAnyOrder(DataClassification.PERSONAL_DATA, DataClassification.SECRET);
        assertThat(decision.permittedProviderClasses()).as("a tenant block is not one a fallback can answer").isEmpty();
        assertThat(decision.permittedDataClassifications()).isEmpty();
    }

    /** A block only by the provider class and a classification says what would pass: the fallback then is allowed. */
    @Test
    void aBlockByProviderClassAndClassificationSaysWhatWouldPass() {
        String workspace = privateOnlyWorkspace(client);

        AiDecision decision = client.evaluate(Requests.productAnswer(workspace)
                .providerClass(ProviderClass.EXTERNAL_PUBLIC)
                .dataClassifications(DataClassification.PRODUCT_KNOWLEDGE, DataClassification.SECRET)
                .build());

        assertThat(decision.reasons()).containsExactly(BlockReason.PROVIDER_CLASS_NOT_PERMITTED,
                BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED);
        assertThat(decision.permittedProviderClasses()).containsExactly(ProviderClass.LOCAL_PRIVATE);
        assertThat(decision.permittedDataClassifications())
                .containsExactly(DataClassification.PRODUCT_KNOWLEDGE, DataClassification.OPERATIONAL_METADATA);
        AiDecision fallback = client.evaluate(Requests.productAnswer(workspace)
                .providerClass(decision.permittedProviderClasses().get(0))
                .dataClassifications(DataClassification.PRODUCT_KNOWLEDGE)
                .build());
        assertThat(fallback.allowed()).as(fallback.message()).isTrue();
    }

    @Test
    void theGuardRunsTheWorkOnceAfterARealAllow() throws Exception {
        String workspace = privateOnlyWorkspace(client);
        AtomicInteger runs = new AtomicInteger();

        String result = client.runIfAllowed(Requests.productAnswer(workspace).build(), () -> {
            runs.incrementAndGet();
            return "draft";
        });
        String asyncResult = client.runIfAllowedAsync(Requests.productAnswer(workspace).build(),
                () -> java.util.concurrent.CompletableFuture.completedFuture("async draft"))
                .get(PATIENT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(result).isEqualTo("draft");
        assertThat(asyncResult).isEqualTo("async draft");
        assertThat(runs).hasValue(1);
    }

    @Test
    void theCallersOwnRequestIdReplaysTheFirstDecisionWithoutASecondAuditEvent() throws SQLException {
        String workspace = privateOnlyWorkspace(client);
        AiRequest request = Requests.productAnswer(workspace).requestId(UUID.randomUUID()).build();

        AiDecision first = client.evaluate(request);
        AiDecision again = client.evaluate(request);

        assertThat(again.decisionId()).isEqualTo(first.decisionId());
        assertThat(again.auditEventId()).isEqualTo(first.auditEventId());
        assertThat(auditedDecisionIds(request.requestId().orElseThrow())).hasSize(1);
    }

    // ---- failures: each a block within the deadline ----

    @Test
    void aStoppedServerIsABlockWithinTheDeadline() throws SQLException {
        TestServer stopping = TestServer.start();
        Duration deadline = Duration.ofSeconds(2);
        try (AiGovernanceClient toStopped = clientOf(stopping, stopping.adminToken(), deadline)) {
            String workspace = privateOnlyWorkspace(toStopped);
            stopping.stop();
            AiRequest request = Requests.productAnswer(workspace).build();

            AiDecision decision = timed(() -> toStopped.evaluate(request), deadline);

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(decision.failure()).map(GovernanceFailure::code)
                    .hasValueSatisfying(c -> assertThat(c).isIn(StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED));
            assertTheGuardHolds(toStopped, request);
        } finally {
            stopping.close();
        }
    }

    @Test
    void aServerHangingPastTheDeadlineIsABlockAtTheDeadlineAndRecordsNothing() throws SQLException {
        HoldEvaluate hold = new HoldEvaluate();
        Duration deadline = Duration.ofMillis(AiGovernanceClientBuilder.DEFAULT_DEADLINE_MILLIS);
        try (TestServer hanging = TestServer.start(hold);
             AiGovernanceClient toHanging = clientOf(hanging, hanging.adminToken(), deadline)) {
            String workspace = freshWorkspace();
            toHanging.admin().setWorkspacePolicy(workspace, PolicyMode.PRIVATE_ONLY, "client library test");
            AiRequest request = Requests.productAnswer(workspace).build();

            AiDecision decision = timed(() -> toHanging.evaluate(request), deadline);

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
            assertThat(decision.failure()).map(GovernanceFailure::code).contains(StatusCode.DEADLINE_EXCEEDED);
            assertThat(hold.held).hasValue(1);
            assertThat(auditedDecisionIds(decision.requestId())).isEmpty();
            assertTheGuardHolds(toHanging, request);
        }
    }

    @Test
    void aWrongTokenIsABlockWithinTheDeadline() throws SQLException {
        String workspace = privateOnlyWorkspace(client);
        // Long enough for a cold connection on a loaded machine, so that the answer is the server's.
        Duration deadline = Duration.ofSeconds(2);
        try (AiGovernanceClient wrong = clientOf(server, "not-a-token", deadline)) {
            AiRequest request = Requests.productAnswer(workspace).build();

            AiDecision decision = timed(() -> wrong.evaluate(request), deadline);

            assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_REJECTED_CALLER);
            assertThat(decision.failure()).hasValueSatisfying(failure -> {
                assertThat(failure.kind()).isEqualTo(FailureKind.REJECTED_CALLER);
                assertThat(failure.code()).isEqualTo(StatusCode.UNAUTHENTICATED);
                assertThat(failure.errorReason()).isEqualTo(ErrorReason.INVALID_CREDENTIAL);
            });
            assertTheGuardHolds(wrong, request);
        }
    }

    @Test
    void aTokenWithoutTheCapabilityOrOutsideItsWorkspacesIsABlock() throws SQLException {
        String workspace = privateOnlyWorkspace(client);
        String auditOnly = server.mintToken("audit-only", Set.of("audit.read"), List.of());
        String otherWorkspace = server.mintToken("other-ws", Set.of("ai.decisions.evaluate"), List.of(freshWorkspace()));
        AiRequest request = Requests.productAnswer(workspace).build();

        try (AiGovernanceClient withoutCapability = clientOf(server, auditOnly, PATIENT);
             AiGovernanceClient elsewhere = clientOf(server, otherWorkspace, PATIENT)) {
            AiDecision missing = withoutCapability.evaluate(request);
            assertThat(missing.reason()).contains(BlockReason.GOVERNANCE_REJECTED_CALLER);
            assertThat(missing.failure()).hasValueSatisfying(failure -> {
                assertThat(failure.code()).isEqualTo(StatusCode.PERMISSION_DENIED);
                assertThat(failure.errorReason()).isEqualTo(ErrorReason.MISSING_CAPABILITY);
                assertThat(failure.errorMetadata()).containsEntry("capability", "ai.decisions.evaluate");
            });
            AiDecision outside = elsewhere.evaluate(request);
            assertThat(outside.reason()).contains(BlockReason.GOVERNANCE_REJECTED_CALLER);
            assertThat(outside.failure()).hasValueSatisfying(failure -> {
                assertThat(failure.code()).isEqualTo(StatusCode.PERMISSION_DENIED);
                assertThat(failure.errorReason()).isEqualTo(ErrorReason.WORKSPACE_NOT_PERMITTED);
            });
            assertTheGuardHolds(withoutCapability, request);
            assertTheGuardHolds(elsewhere, request);
        }
    }

    @Test
    void aMalformedRequestIsABlockNamingTheField() {
        AiDecision decision = client.evaluate(Requests.productAnswer("not a valid id!").build());

        assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_REJECTED_REQUEST);
        assertThat(decision.failure()).hasValueSatisfying(failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.REJECTED_REQUEST);
            assertThat(failure.code()).isEqualTo(StatusCode.INVALID_ARGUMENT);
            assertThat(failure.errorReason()).isEqualTo(ErrorReason.INVALID_FIELD);
            assertThat(failure.errorMetadata()).containsEntry("field", "workspace_id");
        });
    }

    // ---- retries: one audit event per decision ----

    @Test
    void unavailableOnTheFirstAttemptThenSuccessWritesExactlyOneAuditEvent() throws SQLException {
        FailFirstEvaluate failFirst = new FailFirstEvaluate();
        try (TestServer flaky = TestServer.start(failFirst);
             AiGovernanceClient toFlaky = clientOf(flaky, flaky.adminToken(), PATIENT)) {
            String workspace = privateOnlyWorkspace(toFlaky);
            int before = failFirst.evaluateCalls.get();
            failFirst.armed.set(true);

            AiDecision decision = toFlaky.evaluate(Requests.productAnswer(workspace).build());

            assertThat(decision.allowed()).isTrue();
            assertThat(failFirst.evaluateCalls.get() - before).isEqualTo(2);
            assertThat(auditedDecisionIds(decision.requestId())).containsExactly(decision.decisionId().orElseThrow());
        }
    }

    @Test
    void aRetryAfterALostAnswerGetsTheFirstDecisionAndWritesNoSecondAuditEvent() throws SQLException {
        LoseFirstAnswer loseFirst = new LoseFirstAnswer();
        try (TestServer lossy = TestServer.start(loseFirst);
             AiGovernanceClient toLossy = clientOf(lossy, lossy.adminToken(), PATIENT)) {
            String workspace = privateOnlyWorkspace(toLossy);
            loseFirst.armed.set(true);

            AiDecision decision = toLossy.evaluate(Requests.productAnswer(workspace).build());

            assertThat(decision.allowed()).isTrue();
            assertThat(loseFirst.lost).singleElement()
                    .satisfies(lost -> assertThat(lost.getDecision().getDecisionId())
                            .isEqualTo(decision.decisionId().orElseThrow()));
            assertThat(auditedDecisionIds(decision.requestId())).containsExactly(decision.decisionId().orElseThrow());
        }
    }

    @Test
    void eachDecisionIsAuditedWithTheClientVersionItAnnounced() throws SQLException {
        AiDecision decision = client.evaluate(Requests.productAnswer(freshWorkspace()).build());

        try (Connection connection = server.dataSource().getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT client_version FROM audit_events WHERE kind = 'ai_decision' AND request_id = ?")) {
            query.setObject(1, decision.requestId());
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo(AiGovernanceClient.version()).isNotEqualTo("unknown");
            }
        }
    }

    @Test
    void theCatalogIsTheServersAndEveryUseCaseTheLibraryNamesIsInIt() {
        UseCaseCatalog catalog = client.useCases();

        assertThat(catalog.missing(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT, UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT)).isEmpty();
        assertThat(catalog.find(UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT)).hasValueSatisfying(entry -> {
            assertThat(entry.tenantContextPermitted()).isTrue();
            assertThat(entry.sourceFamily()).isEqualTo(SourceFamily.SUPPORT_DIAGNOSTICS);
            assertThat(entry.dataClassifications()).containsExactlyInAnyOrder(DataClassification.OPERATIONAL_METADATA,
                    DataClassification.WORKSPACE_CONFIGURATION, DataClassification.TENANT_CONFIGURATION);
        });
        assertThat(catalog.missing(UseCase.of("marketing.copy_draft"))).containsExactly(UseCase.of("marketing.copy_draft"));
        assertThat(client.useCases()).isSameAs(catalog);
    }

    @Test
    void aResumeNeedsNoReason() {
        ControlScope scope = ControlScope.workspace(freshWorkspace());
        AiGovernanceAdmin admin = client.admin();
        long paused = admin.pause(scope, "incident 8").control().version();

        ExecutionControlChange resumed = admin.resume(scope, paused);

        assertThat(resumed.changed()).isTrue();
        assertThat(resumed.control().state()).isEqualTo(ControlState.ENABLED);
        assertThat(resumed.control().reason()).isEmpty();
        assertThat(admin.resume(scope).changed()).isFalse();
    }

    // ---- operator helpers ----

    @Test
    void workspacePolicyCanBeSetAndReadWithVersions() {
        String workspace = freshWorkspace();
        AiGovernanceAdmin admin = client.admin();

        WorkspacePolicy initial = admin.getWorkspacePolicy(workspace);
        WorkspacePolicyChange set = admin.setWorkspacePolicy(workspace, PolicyMode.PRIVATE_ONLY, "pilot", 0);
        WorkspacePolicyChange again = admin.setWorkspacePolicy(workspace, PolicyMode.PRIVATE_ONLY, "pilot");
        WorkspacePolicy read = admin.getWorkspacePolicy(workspace);

        assertThat(initial.isDefault()).isTrue();
        assertThat(initial.mode()).isEqualTo(PolicyMode.DISABLED);
        assertThat(initial.version()).isZero();
        assertThat(set.changed()).isTrue();
        assertThat(set.policy().version()).isEqualTo(1);
        assertThat(again.changed()).isFalse();
        assertThat(again.policy().version()).isEqualTo(1);
        assertThat(read.mode()).isEqualTo(PolicyMode.PRIVATE_ONLY);
        assertThat(read.isDefault()).isFalse();
        assertThat(read.reason()).isEqualTo("pilot");
        assertThat(read.updatedAt()).isPresent();
        assertThat(read.updatedBy()).isNotEmpty();
    }

    @Test
    void aStaleExpectedVersionFailsWithTheServersReasonAndChangesNothing() {
        String workspace = freshWorkspace();
        AiGovernanceAdmin admin = client.admin();
        admin.setWorkspacePolicy(workspace, PolicyMode.PRIVATE_ONLY, "first");

        assertThatThrownBy(() -> admin.setWorkspacePolicy(workspace, PolicyMode.DISABLED, "stale", 0))
                .isInstanceOfSatisfying(AiGovernanceException.class, e -> {
                    assertThat(e.failure().code()).isEqualTo(StatusCode.ABORTED);
                    assertThat(e.failure().errorReason()).isEqualTo(ErrorReason.VERSION_CONFLICT);
                });
        assertThat(admin.getWorkspacePolicy(workspace).mode()).isEqualTo(PolicyMode.PRIVATE_ONLY);
    }

    @Test
    void executionControlCanBePausedReadAndResumedPerWorkspace() {
        ControlScope scope = ControlScope.workspace(freshWorkspace());
        AiGovernanceAdmin admin = client.admin();
        try {
            ExecutionControlChange paused = admin.setExecutionControl(scope, ControlState.PAUSED, "incident 7");
            ExecutionControlStatus read = admin.getExecutionControl(scope);

            assertThat(paused.changed()).isTrue();
            assertThat(paused.control().state()).isEqualTo(ControlState.PAUSED);
            assertThat(paused.control().scope()).isEqualTo(scope);
            assertThat(read.effectiveState()).isEqualTo(ControlState.PAUSED);
            assertThat(read.control().reason()).isEqualTo("incident 7");
            assertThat(read.control().version()).isEqualTo(paused.control().version());
        } finally {
            admin.setExecutionControl(scope, ControlState.ENABLED, "resolved");
        }
        assertThat(admin.getExecutionControl(scope).effectiveState()).isEqualTo(ControlState.ENABLED);
        assertThat(admin.getExecutionControl(ControlScope.global()).control().scope().isGlobal()).isTrue();
    }

    @Test
    void adminFailuresCarryTheStatusAndReason() {
        String viewOnly = server.mintToken("view-only", Set.of("ops.controls.view"), List.of());
        try (AiGovernanceClient viewer = clientOf(server, viewOnly, PATIENT)) {
            ControlScope scope = ControlScope.workspace(freshWorkspace());

            assertThatThrownBy(() -> viewer.admin().setExecutionControl(scope, ControlState.PAUSED, "no right"))
                    .isInstanceOfSatisfying(AiGovernanceException.class, e -> {
                        assertThat(e.failure().code()).isEqualTo(StatusCode.PERMISSION_DENIED);
                        assertThat(e.failure().errorReason()).isEqualTo(ErrorReason.MISSING_CAPABILITY);
                    });
            assertThatThrownBy(() -> client.admin().setExecutionControl(scope, ControlState.PAUSED, ""))
                    .isInstanceOfSatisfying(AiGovernanceException.class,
                            e -> assertThat(e.failure().code()).isEqualTo(StatusCode.INVALID_ARGUMENT));
            assertThat(viewer.admin().getExecutionControl(scope).effectiveState()).isEqualTo(ControlState.ENABLED);
        }
    }

    @Test
    void theReadmesIncidentSwitchPausesAndResumesAWorkspace() {
        String workspace = privateOnlyWorkspace(client);
        IncidentSwitch incidents = new IncidentSwitch(client);
        AiRequest request = Requests.productAnswer(workspace).build();

        long version = incidents.pause(workspace, "INC-1");
        try {
            assertThat(incidents.isPaused(workspace)).isTrue();
            assertThat(eventually(client, request, d -> !d.allowed()).reason()).contains(BlockReason.AI_EXECUTION_PAUSED);
            assertThat(incidents.resume(workspace, version + 1)).isFalse();
        } finally {
            assertThat(incidents.resume(workspace, version)).isTrue();
        }
        assertThat(incidents.isPaused(workspace)).isFalse();
    }

    // ---- helpers ----

    private void assertBlockedByTheServer(AiDecision decision, BlockReason expected) throws SQLException {
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains(expected);
        assertThat(decision.failure()).isEmpty();
        assertThat(decision.message()).isNotBlank();
        assertThat(auditedDecisionIds(decision.requestId())).containsExactly(decision.decisionId().orElseThrow());
    }

    private static void assertTheGuardHolds(AiGovernanceClient via, AiRequest request) {
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> via.runIfAllowed(request, runs::incrementAndGet))
                .isInstanceOf(AiExecutionBlockedException.class);
        assertThatThrownBy(() -> via.runIfAllowedAsync(request,
                () -> java.util.concurrent.CompletableFuture.completedFuture(runs.incrementAndGet()))
                .get(PATIENT.toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(AiExecutionBlockedException.class);
        assertThat(runs).hasValue(0);
    }

    /** Runs the evaluation and checks it took no longer than the deadline and the margin. */
    private static AiDecision timed(java.util.function.Supplier<AiDecision> evaluation, Duration deadline) {
        long started = System.nanoTime();
        AiDecision decision = evaluation.get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isLessThan(deadline.plus(MARGIN));
        return decision;
    }

    /** The decision ids of the ai_decision audit events recorded under this request id. */
    private List<String> auditedDecisionIds(UUID requestId) throws SQLException {
        try (Connection connection = server.dataSource().getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT decision_id FROM audit_events WHERE kind = 'ai_decision' AND request_id = ?")) {
            query.setObject(1, requestId);
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        }
    }

    private static boolean isEvaluate(ServerCall<?, ?> call) {
        return call.getMethodDescriptor().getFullMethodName()
                .equals(DecisionServiceGrpc.getEvaluateAiRequestMethod().getFullMethodName());
    }

    /** Once armed, fails the next EvaluateAiRequest with UNAVAILABLE before it reaches the service. */
    static final class FailFirstEvaluate implements ServerInterceptor {
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger evaluateCalls = new AtomicInteger();

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            if (isEvaluate(call)) {
                evaluateCalls.incrementAndGet();
                if (armed.compareAndSet(true, false)) {
                    call.close(Status.UNAVAILABLE.withDescription("injected before the service"), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
            }
            return next.startCall(call, headers);
        }
    }

    /**
     * Once armed, lets the next EvaluateAiRequest be decided and recorded, then replaces its answer
     * with UNAVAILABLE: the client sees a failure for a decision the server made.
     */
    static final class LoseFirstAnswer implements ServerInterceptor {
        final AtomicBoolean armed = new AtomicBoolean();
        final List<EvaluateAiRequestResponse> lost = new CopyOnWriteArrayList<>();

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            if (!isEvaluate(call) || !armed.compareAndSet(true, false)) {
                return next.startCall(call, headers);
            }
            return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                @Override
                public void sendHeaders(Metadata responseHeaders) {
                    // Not sent: a status without headers is what lets the client retry.
                }

                @Override
                public void sendMessage(R message) {
                    lost.add((EvaluateAiRequestResponse) message);
                }

                @Override
                public void close(Status status, Metadata trailers) {
                    super.close(Status.UNAVAILABLE.withDescription("answer lost on the way"), new Metadata());
                }
            }, headers);
        }
    }

    /** Holds every EvaluateAiRequest: never passes it on, never answers, until the client gives up. */
    static final class HoldEvaluate implements ServerInterceptor {
        final AtomicInteger held = new AtomicInteger();

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            if (isEvaluate(call)) {
                held.incrementAndGet();
                return new ServerCall.Listener<>() {};
            }
            return next.startCall(call, headers);
        }
    }
}
