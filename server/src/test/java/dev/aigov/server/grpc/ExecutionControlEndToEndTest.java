package dev.aigov.server.grpc;

import static dev.aigov.server.grpc.StatusAssertions.assertFails;
import static dev.aigov.server.grpc.StatusAssertions.assertInvalidField;
import static dev.aigov.server.grpc.StatusAssertions.assertMissingCapability;
import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.ExecutionControl;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.GetExecutionControlRequest;
import dev.aigov.api.v1.GetExecutionControlResponse;
import dev.aigov.api.v1.ListExecutionControlHistoryRequest;
import dev.aigov.api.v1.ListExecutionControlHistoryResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetExecutionControlResponse;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.AuditRows;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.TestServer.NamedToken;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SetExecutionControl, GetExecutionControl and ListExecutionControlHistory over a real channel,
 * and what a pause does to EvaluateAiRequest. Other test classes share the database: every global
 * pause here is resumed in a finally block.
 */
@WithAigovServer
class ExecutionControlEndToEndTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    ExecutionControlEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    private static final String KEY = "ai.execution";
    private static final String SET_METHOD = ExecutionControlServiceGrpc.getSetExecutionControlMethod().getFullMethodName();
    private static final String CONTROL_SET = "execution_control_set";

    private NamedToken mint(String prefix, Set<String> capabilities) {
        return server.mintNamed(prefix, capabilities, List.of());
    }

    private static SetExecutionControlRequest.Builder pause(String workspace, String reason) {
        return SetExecutionControlRequest.newBuilder().setControlKey(KEY).setWorkspaceId(workspace)
                .setState(ControlState.CONTROL_STATE_PAUSED).setReason(reason);
    }

    private static SetExecutionControlRequest.Builder resume(String workspace) {
        return SetExecutionControlRequest.newBuilder().setControlKey(KEY).setWorkspaceId(workspace)
                .setState(ControlState.CONTROL_STATE_ENABLED);
    }

    private SetExecutionControlResponse setAs(String token, SetExecutionControlRequest.Builder request) {
        return clients.controls(token).setExecutionControl(request.build());
    }

    private SetExecutionControlResponse set(SetExecutionControlRequest.Builder request) {
        return setAs(admin, request);
    }

    private GetExecutionControlResponse getAs(String token, String workspace) {
        return clients.controls(token).getExecutionControl(
                GetExecutionControlRequest.newBuilder().setControlKey(KEY).setWorkspaceId(workspace).build());
    }

    private GetExecutionControlResponse get(String workspace) {
        return getAs(admin, workspace);
    }

    private ListExecutionControlHistoryResponse history(ListExecutionControlHistoryRequest.Builder request) {
        return clients.controls(admin).listExecutionControlHistory(request.build());
    }

    private static ListExecutionControlHistoryRequest.Builder historyOf(String workspace) {
        return ListExecutionControlHistoryRequest.newBuilder().setControlKey(KEY).setWorkspaceId(workspace);
    }

    private int controlSetEvents(String workspace) {
        return AuditRows.count(server.dataSource(), workspace, CONTROL_SET);
    }

    private String privateOnlyWorkspace() {
        String workspace = freshWorkspace();
        clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        return workspace;
    }

    private Decision evaluate(String workspace) {
        return clients.decisions(admin).evaluateAiRequest(DecisionEndToEndTest.answerDraft(workspace).build()).getDecision();
    }

    @Test
    void scopeThatNeverChangedIsEnabledAtVersionZero() {
        String workspace = freshWorkspace();

        GetExecutionControlResponse response = get(workspace);

        ExecutionControl control = response.getControl();
        assertThat(control.getControlKey()).isEqualTo(KEY);
        assertThat(control.getWorkspaceId()).isEqualTo(workspace);
        assertThat(control.getState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        assertThat(control.getVersion()).isZero();
        assertThat(control.getReason()).isEmpty();
        assertThat(control.hasChangedAt()).isFalse();
        assertThat(control.getChangedBy()).isEmpty();
        assertThat(response.getEffectiveState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
    }

    @ParameterizedTest(name = "reason \"{0}\"")
    @ValueSource(strings = {"", " ", "  \t\n "})
    void pauseWithoutAReasonIsInvalidArgumentAndChangesNothing(String reason) {
        String workspace = freshWorkspace();

        assertInvalidField(() -> set(pause(workspace, reason)), "reason");

        assertThat(get(workspace).getControl().getVersion()).isZero();
        assertThat(controlSetEvents(workspace)).isZero();
    }

    @Test
    void pausingAWorkspaceBlocksItsDecisionsOnlyAndResumingAllowsThemAgain() {
        String paused = privateOnlyWorkspace();
        String other = privateOnlyWorkspace();
        NamedToken operator = mint("operator", Set.of("ops.controls.manage"));
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);

        SetExecutionControlResponse pausedResponse = setAs(operator.token(), pause(paused, "customer asked to stop AI drafts"));

        ExecutionControl control = pausedResponse.getControl();
        assertThat(pausedResponse.getChanged()).isTrue();
        assertThat(control.getState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
        assertThat(control.getWorkspaceId()).isEqualTo(paused);
        assertThat(control.getVersion()).isEqualTo(1);
        assertThat(control.getReason()).isEqualTo("customer asked to stop AI drafts");
        assertThat(control.getChangedBy()).isEqualTo(operator.name());
        assertThat(Instant.ofEpochSecond(control.getChangedAt().getSeconds(), control.getChangedAt().getNanos()))
                .isBetween(before, Instant.now());
        assertThat(get(paused).getControl()).isEqualTo(control);
        assertThat(get(paused).getEffectiveState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);

        Decision blocked = evaluate(paused);
        assertThat(blocked.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(blocked.getReason()).isEqualTo(BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
        assertThat(blocked.getAllReasonsList()).containsExactly(BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
        assertThat(blocked.getExecutionState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
        assertThat(blocked.getControlVersion()).isEqualTo(1);
        assertThat(evaluate(other).getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);

        SetExecutionControlResponse resumed = setAs(operator.token(), resume(paused).setReason("customer agreed"));

        assertThat(resumed.getChanged()).isTrue();
        assertThat(resumed.getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        assertThat(resumed.getControl().getReason()).isEmpty();
        assertThat(resumed.getControl().getVersion()).isEqualTo(2);
        assertThat(get(paused).getEffectiveState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        Decision allowed = evaluate(paused);
        assertThat(allowed.getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        assertThat(allowed.getExecutionState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        assertThat(controlSetEvents(paused)).isEqualTo(2);
    }

    @Test
    void settingTheStateInForceSucceedsWithoutANewVersion() {
        String workspace = freshWorkspace();
        ExecutionControl paused = set(pause(workspace, "incident 42")).getControl();

        SetExecutionControlResponse again = set(pause(workspace, "incident 42, still"));
        SetExecutionControlResponse resumeNeverChanged = set(resume(freshWorkspace()));

        assertThat(again.getChanged()).isFalse();
        assertThat(again.getControl()).isEqualTo(paused);
        assertThat(get(workspace).getControl()).isEqualTo(paused);
        assertThat(resumeNeverChanged.getChanged()).isFalse();
        assertThat(resumeNeverChanged.getControl().getVersion()).isZero();
        assertThat(resumeNeverChanged.getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        assertThat(controlSetEvents(workspace)).isEqualTo(2);
    }

    @Test
    void globalPauseBlocksEveryWorkspaceWithTheGlobalVersionAndShowsAsEffectiveState() {
        String first = privateOnlyWorkspace();
        String second = privateOnlyWorkspace();
        String alsoPausedHere = privateOnlyWorkspace();
        set(pause(alsoPausedHere, "paused here first"));
        SetExecutionControlResponse globalPause = null;
        try {
            globalPause = set(pause("", "provider incident"));
            long globalVersion = globalPause.getControl().getVersion();

            assertThat(globalPause.getChanged()).isTrue();
            assertThat(globalPause.getControl().getWorkspaceId()).isEmpty();
            assertThat(get("").getEffectiveState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
            GetExecutionControlResponse workspaceView = get(first);
            assertThat(workspaceView.getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
            assertThat(workspaceView.getControl().getVersion()).isZero();
            assertThat(workspaceView.getEffectiveState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
            for (String workspace : List.of(first, second, alsoPausedHere)) {
                Decision decision = evaluate(workspace);
                assertThat(decision.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
                assertThat(decision.getReason()).isEqualTo(BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
                assertThat(decision.getExecutionState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
                assertThat(decision.getControlVersion()).as(workspace).isEqualTo(globalVersion);
            }
        } finally {
            SetExecutionControlResponse resumed = set(resume(""));
            if (globalPause != null) {
                assertThat(resumed.getControl().getVersion()).isEqualTo(globalPause.getControl().getVersion() + 1);
            }
        }
        assertThat(get("").getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        assertThat(evaluate(first).getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        assertThat(evaluate(alsoPausedHere).getReason()).isEqualTo(BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
    }

    @Test
    void unknownControlKeyIsNotFoundAndAnEmptyOneIsInvalid() {
        String workspace = freshWorkspace();

        ErrorInfo set = assertFails(() -> set(pause(workspace, "x").setControlKey("ai.other")),
                Status.Code.NOT_FOUND, "ERROR_REASON_UNKNOWN_CONTROL_KEY");
        assertThat(set.getMetadataMap()).containsEntry("field", "control_key");
        assertFails(() -> clients.controls(admin).getExecutionControl(GetExecutionControlRequest.newBuilder()
                .setControlKey("AI.EXECUTION").build()), Status.Code.NOT_FOUND, "ERROR_REASON_UNKNOWN_CONTROL_KEY");
        assertFails(() -> history(historyOf(workspace).setControlKey("ai.other")),
                Status.Code.NOT_FOUND, "ERROR_REASON_UNKNOWN_CONTROL_KEY");

        assertInvalidField(() -> set(pause(workspace, "x").setControlKey("")), "control_key");
        assertInvalidField(() -> clients.controls(admin).getExecutionControl(GetExecutionControlRequest.getDefaultInstance()),
                "control_key");
        assertInvalidField(() -> history(historyOf(workspace).setControlKey("")), "control_key");
        assertThat(controlSetEvents(workspace)).isZero();
    }

    @Test
    void malformedSetIsInvalidArgumentNamingTheFieldAndWritesNothing() {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();

        assertInvalidField(() -> set(pause(workspace, "x").setState(ControlState.CONTROL_STATE_UNSPECIFIED)
                .setRequestId(requestId.toString())), "state");
        assertInvalidField(() -> set(pause(workspace, "x").setStateValue(7).setRequestId(requestId.toString())), "state");
        assertInvalidField(() -> set(pause(workspace, "r".repeat(1025)).setRequestId(requestId.toString())), "reason");
        assertInvalidField(() -> set(pause(workspace, "null\u0000byte").setRequestId(requestId.toString())), "reason");
        assertInvalidField(() -> set(resume(workspace).setReason("null\u0000byte").setRequestId(requestId.toString())), "reason");
        assertInvalidField(() -> set(pause(workspace, "x").setExpectedVersion(-1).setRequestId(requestId.toString())),
                "expected_version");
        assertInvalidField(() -> set(pause("ws one", "x").setRequestId(requestId.toString())), "workspace_id");
        assertInvalidField(() -> set(pause("w".repeat(129), "x").setRequestId(requestId.toString())), "workspace_id");
        assertInvalidField(() -> set(pause(workspace, "x").setRequestId("not-a-uuid")), "request_id");
        assertInvalidField(() -> get("ws one"), "workspace_id");

        assertThat(controlSetEvents(workspace)).isZero();
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isZero();
        assertThat(AuditRows.idempotencyRecords(server.dataSource(), requestId)).isZero();
        assertThat(get(workspace).getControl().getVersion()).isZero();
    }

    @Test
    void staleExpectedVersionIsAbortedAndChangesNothing() {
        String workspace = freshWorkspace();
        ExecutionControl paused = set(pause(workspace, "incident").setExpectedVersion(0)).getControl();
        assertThat(paused.getVersion()).isEqualTo(1);

        ErrorInfo info = assertFails(() -> set(resume(workspace).setExpectedVersion(0)),
                Status.Code.ABORTED, "ERROR_REASON_VERSION_CONFLICT");

        assertThat(info.getMetadataMap()).containsEntry("current_version", "1");
        assertThat(get(workspace).getControl()).isEqualTo(paused);
        assertThat(controlSetEvents(workspace)).isEqualTo(1);
        assertThat(history(historyOf(workspace)).getChangesList()).hasSize(1);
        assertThat(set(resume(workspace).setExpectedVersion(1)).getControl().getVersion()).isEqualTo(2);
    }

    @Test
    void retryWithTheSameRequestIdReturnsTheFirstResultEvenAfterALaterChangeAndWritesNothing() {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();
        SetExecutionControlRequest.Builder request = pause(workspace, "incident 7").setRequestId(requestId.toString());
        SetExecutionControlResponse first = set(request);
        set(resume(workspace));

        SetExecutionControlResponse replay = set(request);

        assertThat(replay).isEqualTo(first);
        assertThat(get(workspace).getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        assertThat(get(workspace).getControl().getVersion()).isEqualTo(2);
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
        assertThat(history(historyOf(workspace)).getChangesList()).hasSize(2);
    }

    @Test
    void sameRequestIdWithAnotherRequestIsAlreadyExistsAndChangesNothing() {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();
        ExecutionControl first = set(pause(workspace, "incident 8").setRequestId(requestId.toString())).getControl();

        for (SetExecutionControlRequest.Builder other : List.of(
                pause(workspace, "another reason").setRequestId(requestId.toString()),
                resume(workspace).setRequestId(requestId.toString()),
                pause(freshWorkspace(), "incident 8").setRequestId(requestId.toString()))) {
            ErrorInfo info = assertFails(() -> set(other), Status.Code.ALREADY_EXISTS, "ERROR_REASON_REQUEST_ID_REUSED");
            assertThat(info.getMetadataMap()).containsEntry("field", "request_id");
        }

        assertThat(get(workspace).getControl()).isEqualTo(first);
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
    }

    @Test
    void historyListsAWorkspacesChangesNewestFirstWithWhoWhyAndVersion() {
        String workspace = freshWorkspace();
        NamedToken operator = mint("operator", Set.of("ops.controls.manage"));
        setAs(operator.token(), pause(workspace, "first incident"));
        setAs(operator.token(), resume(workspace));
        setAs(operator.token(), pause(workspace, "second incident"));
        setAs(operator.token(), pause(workspace, "unchanged: not a change"));
        set(pause(freshWorkspace(), "another workspace's change"));

        List<ExecutionControl> changes = history(historyOf(workspace)).getChangesList();

        assertThat(changes).extracting(ExecutionControl::getVersion).containsExactly(3L, 2L, 1L);
        assertThat(changes).extracting(ExecutionControl::getState).containsExactly(
                ControlState.CONTROL_STATE_PAUSED, ControlState.CONTROL_STATE_ENABLED, ControlState.CONTROL_STATE_PAUSED);
        assertThat(changes).extracting(ExecutionControl::getReason).containsExactly("second incident", "", "first incident");
        assertThat(changes).extracting(ExecutionControl::getChangedBy).containsOnly(operator.name());
        assertThat(changes).extracting(ExecutionControl::getWorkspaceId).containsOnly(workspace);
        assertThat(changes).extracting(ExecutionControl::getControlKey).containsOnly(KEY);
        assertThat(changes).allSatisfy(change -> assertThat(change.hasChangedAt()).isTrue());
        assertThat(changes.get(0).getChangedAt().getSeconds()).isGreaterThanOrEqualTo(changes.get(2).getChangedAt().getSeconds());
    }

    @Test
    void historyPagesWalkEveryChangeOnceAndATokenIsBoundToItsFilter() {
        String workspace = freshWorkspace();
        for (int i = 1; i <= 5; i++) {
            set(i % 2 == 1 ? pause(workspace, "incident " + i) : resume(workspace));
        }

        List<Long> versions = new ArrayList<>();
        String token = "";
        String firstToken = null;
        int pages = 0;
        do {
            ListExecutionControlHistoryResponse page = history(historyOf(workspace).setPageSize(1).setPageToken(token));
            assertThat(page.getChangesList()).hasSize(1);
            versions.add(page.getChanges(0).getVersion());
            token = page.getNextPageToken();
            if (firstToken == null) {
                firstToken = token;
            }
            pages++;
        } while (!token.isEmpty() && pages < 10);

        assertThat(versions).containsExactly(5L, 4L, 3L, 2L, 1L);
        String tokenOfThisFilter = firstToken;
        assertInvalidField(() -> history(historyOf(freshWorkspace()).setPageToken(tokenOfThisFilter)), "page_token");
        assertInvalidField(() -> history(historyOf("").setPageToken(tokenOfThisFilter)), "page_token");
        assertInvalidField(() -> history(historyOf(workspace).setPageToken("garbage!")), "page_token");
        assertInvalidField(() -> history(historyOf(workspace).setPageSize(501)), "page_size");
        assertInvalidField(() -> history(historyOf(workspace).setPageSize(-1)), "page_size");
        assertThat(history(historyOf(workspace).setPageSize(500)).getChangesCount()).isEqualTo(5);
        assertThat(history(historyOf(workspace).setPageSize(5)).getNextPageToken()).isEmpty();
    }

    @Test
    void historyWithoutAWorkspaceListsEveryScope() {
        String workspace = freshWorkspace();
        ExecutionControl change = set(pause(workspace, "listed across scopes")).getControl();

        ListExecutionControlHistoryResponse page = history(ListExecutionControlHistoryRequest.newBuilder().setControlKey(KEY)
                .setPageSize(500));

        assertThat(page.getChangesList()).contains(change);
    }

    @Test
    void controlsViewerCanReadButNotChangeAndTheDenialIsAudited() {
        String workspace = freshWorkspace();
        NamedToken viewer = mint("ops-viewer", Set.of("ops.controls.view"));
        set(pause(workspace, "incident"));

        assertThat(getAs(viewer.token(), workspace).getEffectiveState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
        assertThat(clients.controls(viewer.token()).listExecutionControlHistory(historyOf(workspace).build()).getChangesCount())
                .isEqualTo(1);
        assertMissingCapability(() -> setAs(viewer.token(), resume(workspace)), "ops.controls.manage");

        assertThat(get(workspace).getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
        assertThat(controlSetEvents(workspace)).isEqualTo(1);
        assertThat(AuditRows.denials(server.dataSource(), workspace, SET_METHOD, "ops.controls.manage")).isEqualTo(1);
        assertThat(AuditRows.countOf(server.dataSource(), "SELECT count(*) FROM audit_events WHERE kind = 'mutation_denied'"
                + " AND workspace_id = ? AND principal = ?", workspace, viewer.name())).isEqualTo(1);
    }

    @Test
    void refusalForWantOfCapabilityComesBeforeTheUnknownKeyAndIsAudited() {
        String workspace = freshWorkspace();
        String workspaceAdmin = server.mintToken("ws-admin", Set.of("workspace.ai_policy.manage"), List.of(workspace));

        assertMissingCapability(() -> setAs(workspaceAdmin, pause(workspace, "no").setControlKey("nope")),
                "ops.controls.manage");

        assertThat(AuditRows.denials(server.dataSource(), workspace, SET_METHOD, "ops.controls.manage")).isEqualTo(1);
    }

    @Test
    void workspacePlaneTokenCannotPauseOrReadControls() {
        String workspace = freshWorkspace();
        String workspaceAdmin = server.mintToken("ws-admin", Set.of("workspace.ai_policy.manage"), List.of(workspace));

        assertMissingCapability(() -> setAs(workspaceAdmin, pause(workspace, "let me stop it")), "ops.controls.manage");
        assertMissingCapability(() -> getAs(workspaceAdmin, workspace), "ops.controls.view");

        assertThat(get(workspace).getControl().getVersion()).isZero();
        assertThat(AuditRows.denials(server.dataSource(), workspace, SET_METHOD, "ops.controls.manage")).isEqualTo(1);
    }

    @Test
    void concurrentChangesOfANeverChangedScopeEachSucceedOrFailCleanlyAndEveryChangeIsOneVersion() throws Exception {
        String workspace = freshWorkspace();
        int callers = 12;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<SetExecutionControlResponse>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            for (int i = 0; i < callers; i++) {
                SetExecutionControlRequest.Builder request = i % 3 == 2 ? resume(workspace) : pause(workspace, "concurrent " + i);
                answers.add(pool.submit(() -> {
                    start.await();
                    return set(request);
                }));
            }
            start.countDown();
        }

        List<SetExecutionControlResponse> succeeded = new ArrayList<>();
        for (Future<SetExecutionControlResponse> answer : answers) {
            try {
                succeeded.add(answer.get());
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
                StatusRuntimeException error = (StatusRuntimeException) e.getCause();
                assertThat(error.getStatus().getCode()).as(error.getStatus().toString())
                        .isNotIn(Status.Code.UNKNOWN, Status.Code.INTERNAL);
                assertThat(Clients.errorInfo(error).getDomain()).isEqualTo("aigov");
            }
        }
        List<Long> changedVersions = succeeded.stream().filter(SetExecutionControlResponse::getChanged)
                .map(r -> r.getControl().getVersion()).sorted().toList();

        assertThat(succeeded).isNotEmpty();
        assertThat(get(workspace).getControl().getVersion()).isEqualTo(changedVersions.size());
        assertThat(changedVersions).containsExactlyElementsOf(
                IntStream.rangeClosed(1, changedVersions.size()).mapToObj(Long::valueOf).toList());
        assertThat(history(historyOf(workspace).setPageSize(500)).getChangesList())
                .extracting(ExecutionControl::getVersion)
                .containsExactlyElementsOf(changedVersions.reversed());
        assertThat(controlSetEvents(workspace)).isEqualTo(succeeded.size());
    }
}
