package dev.aigov.server.grpc;

import static dev.aigov.server.grpc.StatusAssertions.assertFails;
import static dev.aigov.server.grpc.StatusAssertions.assertInvalidField;
import static dev.aigov.server.grpc.StatusAssertions.assertMissingCapability;
import static dev.aigov.server.grpc.StatusAssertions.assertWorkspaceNotPermitted;
import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.AuditEventKind;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.api.v1.SetWorkspacePolicyResponse;
import dev.aigov.api.v1.WorkspacePolicy;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SetWorkspacePolicy and GetWorkspacePolicy over a real channel, against the real server and database. */
@WithAigovServer
class WorkspacePolicyEndToEndTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    WorkspacePolicyEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    private static final String SET_METHOD = WorkspacePolicyServiceGrpc.getSetWorkspacePolicyMethod().getFullMethodName();
    private static final String POLICY_SET = "workspace_policy_set";

    private static SetWorkspacePolicyRequest.Builder set(String workspace, PolicyMode mode) {
        return SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace).setPolicyMode(mode);
    }

    private SetWorkspacePolicyResponse setAs(String token, SetWorkspacePolicyRequest.Builder request) {
        return clients.policies(token).setWorkspacePolicy(request.build());
    }

    private WorkspacePolicy getAs(String token, String workspace) {
        return clients.policies(token).getWorkspacePolicy(GetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace).build())
                .getPolicy();
    }

    private WorkspacePolicy get(String workspace) {
        return getAs(admin, workspace);
    }

    private int policySetEvents(String workspace) {
        return AuditRows.count(server.dataSource(), workspace, POLICY_SET);
    }

    private static Instant instant(com.google.protobuf.Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    @Test
    void workspaceThatNeverSetAPolicyIsDisabledByDefaultAtVersionZero() {
        String workspace = freshWorkspace();

        WorkspacePolicy policy = get(workspace);

        assertThat(policy.getWorkspaceId()).isEqualTo(workspace);
        assertThat(policy.getPolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_DISABLED);
        assertThat(policy.getVersion()).isZero();
        assertThat(policy.getIsDefault()).isTrue();
        assertThat(policy.hasUpdatedAt()).isFalse();
        assertThat(policy.getUpdatedBy()).isEmpty();
        assertThat(policy.getReason()).isEmpty();
    }

    @Test
    void settingAModeCreatesVersionOneByTheTokenWithItsReasonAndGetReturnsIt() {
        String workspace = freshWorkspace();
        NamedToken manager = server.mintNamed("ws-admin", Set.of("workspace.ai_policy.manage"), List.of());
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);

        SetWorkspacePolicyResponse response = setAs(manager.token(),
                set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setReason("pilot approved by the customer"));

        Instant after = Instant.now();
        WorkspacePolicy policy = response.getPolicy();
        assertThat(response.getChanged()).isTrue();
        assertThat(policy.getWorkspaceId()).isEqualTo(workspace);
        assertThat(policy.getPolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        assertThat(policy.getVersion()).isEqualTo(1);
        assertThat(policy.getIsDefault()).isFalse();
        assertThat(policy.getUpdatedBy()).isEqualTo(manager.name());
        assertThat(policy.getReason()).isEqualTo("pilot approved by the customer");
        assertThat(instant(policy.getUpdatedAt())).isBetween(before, after);
        assertThat(get(workspace)).isEqualTo(policy);
        assertThat(policySetEvents(workspace)).isEqualTo(1);
    }

    @Test
    void settingTheModeAlreadyInForceSucceedsWithoutANewVersion() {
        String workspace = freshWorkspace();
        WorkspacePolicy first = setAs(admin, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setReason("first")).getPolicy();

        SetWorkspacePolicyResponse again = setAs(admin, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setReason("again"));

        assertThat(again.getChanged()).isFalse();
        assertThat(again.getPolicy()).isEqualTo(first);
        assertThat(get(workspace)).isEqualTo(first);
        // Every call that took effect is audited, changed or not.
        assertThat(policySetEvents(workspace)).isEqualTo(2);
    }

    @Test
    void disablingAWorkspaceThatNeverSetAPolicyChangesNothingAtVersionZero() {
        String workspace = freshWorkspace();

        SetWorkspacePolicyResponse response = setAs(admin, set(workspace, PolicyMode.POLICY_MODE_DISABLED));

        assertThat(response.getChanged()).isFalse();
        assertThat(response.getPolicy().getVersion()).isZero();
        assertThat(response.getPolicy().getPolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_DISABLED);
        assertThat(response.getPolicy().getIsDefault()).isTrue();
        assertThat(response.getPolicy().hasUpdatedAt()).isFalse();
        assertThat(get(workspace)).isEqualTo(response.getPolicy());
    }

    @Test
    void expectedVersionThatMatchesApplies() {
        String workspace = freshWorkspace();

        SetWorkspacePolicyResponse first = setAs(admin, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setExpectedVersion(0));
        SetWorkspacePolicyResponse second = setAs(admin, set(workspace, PolicyMode.POLICY_MODE_DISABLED).setExpectedVersion(1));

        assertThat(first.getPolicy().getVersion()).isEqualTo(1);
        assertThat(second.getChanged()).isTrue();
        assertThat(second.getPolicy().getVersion()).isEqualTo(2);
        assertThat(get(workspace).getPolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_DISABLED);
    }

    @Test
    void staleExpectedVersionIsAbortedWithTheCurrentVersionAndChangesNothing() {
        String workspace = freshWorkspace();
        WorkspacePolicy current = setAs(admin, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY)).getPolicy();

        ErrorInfo info = assertFails(() -> setAs(admin, set(workspace, PolicyMode.POLICY_MODE_DISABLED).setExpectedVersion(0)),
                Status.Code.ABORTED, "ERROR_REASON_VERSION_CONFLICT");

        assertThat(info.getMetadataMap()).containsEntry("current_version", "1");
        assertThat(get(workspace)).isEqualTo(current);
        assertThat(policySetEvents(workspace)).isEqualTo(1);
    }

    @Test
    void expectedVersionAheadOfANeverSetWorkspaceIsAborted() {
        String workspace = freshWorkspace();

        ErrorInfo info = assertFails(() -> setAs(admin, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setExpectedVersion(3)),
                Status.Code.ABORTED, "ERROR_REASON_VERSION_CONFLICT");

        assertThat(info.getMetadataMap()).containsEntry("current_version", "0");
        assertThat(get(workspace).getIsDefault()).isTrue();
        assertThat(policySetEvents(workspace)).isZero();
    }

    @Test
    void retryWithTheSameRequestIdReturnsTheFirstResultEvenAfterALaterChangeAndWritesNothing() {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();
        SetWorkspacePolicyRequest.Builder request = set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY)
                .setReason("rollout").setRequestId(requestId.toString());
        SetWorkspacePolicyResponse first = setAs(admin, request);
        WorkspacePolicy later = setAs(admin, set(workspace, PolicyMode.POLICY_MODE_DISABLED)).getPolicy();

        SetWorkspacePolicyResponse replay = setAs(admin, request);

        assertThat(replay).isEqualTo(first);
        assertThat(replay.getChanged()).isTrue();
        assertThat(replay.getPolicy().getVersion()).isEqualTo(1);
        assertThat(get(workspace)).isEqualTo(later);
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
        assertThat(policySetEvents(workspace)).isEqualTo(2);
    }

    @Test
    void retryOfAnUnchangedSetReturnsItsUnchangedAnswer() {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();
        SetWorkspacePolicyRequest.Builder request = set(workspace, PolicyMode.POLICY_MODE_DISABLED).setRequestId(requestId.toString());
        SetWorkspacePolicyResponse first = setAs(admin, request);
        setAs(admin, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY));

        SetWorkspacePolicyResponse replay = setAs(admin, request);

        assertThat(replay).isEqualTo(first);
        assertThat(replay.getChanged()).isFalse();
        assertThat(replay.getPolicy().getVersion()).isZero();
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
    }

    static Stream<Arguments> otherBodies() {
        return Stream.of(
                arguments("another mode",
                        (UnaryOperator<SetWorkspacePolicyRequest.Builder>) r -> r.setPolicyMode(PolicyMode.POLICY_MODE_DISABLED)),
                arguments("another reason", (UnaryOperator<SetWorkspacePolicyRequest.Builder>) r -> r.setReason("other")),
                arguments("an expected_version", (UnaryOperator<SetWorkspacePolicyRequest.Builder>) r -> r.setExpectedVersion(1)),
                arguments("another workspace", (UnaryOperator<SetWorkspacePolicyRequest.Builder>) r -> r.setWorkspaceId(freshWorkspace())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherBodies")
    void sameRequestIdWithAnotherBodyIsAlreadyExistsAndChangesNothing(
            String what, UnaryOperator<SetWorkspacePolicyRequest.Builder> change) {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();
        SetWorkspacePolicyRequest.Builder request = set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY)
                .setReason("rollout").setRequestId(requestId.toString());
        WorkspacePolicy first = setAs(admin, request).getPolicy();
        SetWorkspacePolicyRequest.Builder other = change.apply(request.clone());

        ErrorInfo info = assertFails(() -> setAs(admin, other), Status.Code.ALREADY_EXISTS, "ERROR_REASON_REQUEST_ID_REUSED");

        assertThat(info.getMetadataMap()).containsEntry("field", "request_id");
        assertThat(get(workspace)).isEqualTo(first);
        assertThat(get(other.getWorkspaceId()).getVersion()).isEqualTo(other.getWorkspaceId().equals(workspace) ? 1 : 0);
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
    }

    @Test
    void sameRequestIdFromAnotherTokenIsAlreadyExists() {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();
        SetWorkspacePolicyRequest.Builder request = set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setRequestId(requestId.toString());
        setAs(admin, request);
        String otherManager = server.mintToken("other-manager", Set.of("workspace.ai_policy.manage"), List.of());

        assertFails(() -> setAs(otherManager, request), Status.Code.ALREADY_EXISTS, "ERROR_REASON_REQUEST_ID_REUSED");
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
    }

    @Test
    void requestIdOfAnExecutionControlChangeCannotBeReusedForAPolicy() {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();
        clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder()
                .setControlKey("ai.execution").setWorkspaceId(workspace).setState(ControlState.CONTROL_STATE_ENABLED)
                .setRequestId(requestId.toString()).build());

        assertFails(() -> setAs(admin, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setRequestId(requestId.toString())),
                Status.Code.ALREADY_EXISTS, "ERROR_REASON_REQUEST_ID_REUSED");
        assertThat(get(workspace).getIsDefault()).isTrue();
    }

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                bad("workspace_id", r -> r.setWorkspaceId("")),
                bad("workspace_id", r -> r.setWorkspaceId("w".repeat(129))),
                bad("workspace_id", r -> r.setWorkspaceId("ws one")),
                bad("workspace_id", r -> r.setWorkspaceId("ws/one")),
                bad("policy_mode", r -> r.setPolicyMode(PolicyMode.POLICY_MODE_UNSPECIFIED)),
                bad("policy_mode", r -> r.setPolicyModeValue(99)),
                bad("expected_version", r -> r.setExpectedVersion(-1)),
                bad("reason", r -> r.setReason("r".repeat(1025))),
                bad("reason", r -> r.setReason("null\u0000byte")),
                bad("request_id", r -> r.setRequestId("not-a-uuid")),
                bad("request_id", r -> r.setRequestId("3f2b8c1e6a4d4c1b9a570f6e2d8b7c44")));
    }

    private static Arguments bad(String field, UnaryOperator<SetWorkspacePolicyRequest.Builder> breakIt) {
        return arguments(field, breakIt);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void malformedRequestIsInvalidArgumentNamingTheFieldAndWritesNothing(
            String field, UnaryOperator<SetWorkspacePolicyRequest.Builder> breakIt) {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();
        SetWorkspacePolicyRequest.Builder valid = set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setRequestId(requestId.toString());

        assertInvalidField(() -> setAs(admin, breakIt.apply(valid.clone())), field);

        assertThat(Clients.auditEventsForWorkspace(server.dataSource(), workspace)).isZero();
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isZero();
        assertThat(AuditRows.idempotencyRecords(server.dataSource(), requestId)).isZero();
        assertThat(get(workspace).getIsDefault()).isTrue();
        // The refused request did not use up its request_id.
        assertThat(setAs(admin, valid).getChanged()).isTrue();
    }

    @Test
    void limitsAreInclusive() {
        String workspace = "w" + UUID.randomUUID().toString().replace("-", "") + "x".repeat(95);
        assertThat(workspace).hasSize(128);

        SetWorkspacePolicyResponse response = setAs(admin, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setReason("r".repeat(1024)));

        assertThat(response.getPolicy().getWorkspaceId()).isEqualTo(workspace);
        assertThat(response.getPolicy().getReason()).hasSize(1024);
    }

    @Test
    void getWithAMalformedWorkspaceIsInvalidArgument() {
        assertInvalidField(() -> get(""), "workspace_id");
        assertInvalidField(() -> get("ws one"), "workspace_id");
    }

    @Test
    void viewOnlyTokenCanReadButNotSetAndTheDenialIsAudited() {
        String workspace = freshWorkspace();
        NamedToken viewer = server.mintNamed("viewer", Set.of("workspace.ai_policy.view"), List.of());

        assertThat(getAs(viewer.token(), workspace).getIsDefault()).isTrue();
        assertMissingCapability(() -> setAs(viewer.token(), set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY)),
                "workspace.ai_policy.manage");

        assertThat(get(workspace).getIsDefault()).isTrue();
        assertThat(policySetEvents(workspace)).isZero();
        assertThat(AuditRows.denials(server.dataSource(), workspace, SET_METHOD, "workspace.ai_policy.manage")).isEqualTo(1);
        assertThat(AuditRows.countOf(server.dataSource(), "SELECT count(*) FROM audit_events WHERE kind = 'mutation_denied'"
                + " AND workspace_id = ? AND principal = ? AND error_reason = 'ERROR_REASON_MISSING_CAPABILITY'",
                workspace, viewer.name())).isEqualTo(1);
    }

    @Test
    void refusalForWantOfCapabilityComesBeforeValidationAndIsAuditedEvenForAMalformedBody() {
        String workspace = freshWorkspace();
        NamedToken viewer = server.mintNamed("viewer", Set.of("workspace.ai_policy.view"), List.of());

        assertMissingCapability(() -> setAs(viewer.token(), set(workspace, PolicyMode.POLICY_MODE_UNSPECIFIED)),
                "workspace.ai_policy.manage");

        assertThat(AuditRows.denials(server.dataSource(), workspace, SET_METHOD, "workspace.ai_policy.manage")).isEqualTo(1);
    }

    @Test
    void manageTokenLimitedToOneWorkspaceCannotReadOrSetAnother() {
        String mine = freshWorkspace();
        String theirs = freshWorkspace();
        String manager = server.mintToken("limited-manager", Set.of("workspace.ai_policy.manage"), List.of(mine));

        assertThat(setAs(manager, set(mine, PolicyMode.POLICY_MODE_PRIVATE_ONLY)).getChanged()).isTrue();
        assertWorkspaceNotPermitted(() -> getAs(manager, theirs));
        assertWorkspaceNotPermitted(() -> setAs(manager, set(theirs, PolicyMode.POLICY_MODE_PRIVATE_ONLY)));

        assertThat(get(theirs).getIsDefault()).isTrue();
        assertThat(policySetEvents(theirs)).isZero();
        assertThat(AuditRows.countOf(server.dataSource(), "SELECT count(*) FROM audit_events WHERE kind = 'mutation_denied'"
                + " AND workspace_id = ? AND error_reason = 'ERROR_REASON_WORKSPACE_NOT_PERMITTED'", theirs)).isEqualTo(1);
    }

    @Test
    void manageImpliesView() {
        String workspace = freshWorkspace();
        String manager = server.mintToken("manager", Set.of("workspace.ai_policy.manage"), List.of(workspace));
        setAs(manager, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY));

        assertThat(getAs(manager, workspace).getPolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_PRIVATE_ONLY);
    }

    @Test
    void platformTokenCannotReadOrSetWorkspacePolicy() {
        String workspace = freshWorkspace();
        String operator = server.mintToken("operator", Set.of("ops.controls.manage", "ops.controls.view"), List.of());

        assertMissingCapability(() -> setAs(operator, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY)), "workspace.ai_policy.manage");
        assertMissingCapability(() -> getAs(operator, workspace), "workspace.ai_policy.view");
        assertThat(get(workspace).getIsDefault()).isTrue();
        assertThat(AuditRows.denials(server.dataSource(), workspace, SET_METHOD, "workspace.ai_policy.manage")).isEqualTo(1);
    }

    @Test
    void unauthenticatedSetIsRefusedAndAudited() {
        String workspace = freshWorkspace();
        String unauthenticatedDenials = "SELECT count(*) FROM audit_events WHERE kind = 'mutation_denied'"
                + " AND method = ? AND status_code = 'UNAUTHENTICATED'";
        int before = AuditRows.countOf(server.dataSource(), unauthenticatedDenials, SET_METHOD);

        assertFails(() -> setAs(null, set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY)),
                Status.Code.UNAUTHENTICATED, "ERROR_REASON_MISSING_CREDENTIAL");
        assertFails(() -> setAs("aigov_" + "x".repeat(43), set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY)),
                Status.Code.UNAUTHENTICATED, "ERROR_REASON_INVALID_CREDENTIAL");

        assertThat(get(workspace).getIsDefault()).isTrue();
        assertThat(AuditRows.countOf(server.dataSource(), unauthenticatedDenials, SET_METHOD)).isEqualTo(before + 2);
    }

    @Test
    void concurrentRetriesOfOneRequestIdChangeThePolicyOnceAndAllGetTheSameAnswer() throws Exception {
        String workspace = freshWorkspace();
        UUID requestId = UUID.randomUUID();
        SetWorkspacePolicyRequest.Builder request = set(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY).setRequestId(requestId.toString());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<SetWorkspacePolicyResponse>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            for (int i = 0; i < 6; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return setAs(admin, request.clone());
                }));
            }
            start.countDown();
        }

        SetWorkspacePolicyResponse first = answers.get(0).get();
        for (Future<SetWorkspacePolicyResponse> answer : answers) {
            assertThat(answer.get()).isEqualTo(first);
        }
        assertThat(first.getChanged()).isTrue();
        assertThat(first.getPolicy().getVersion()).isEqualTo(1);
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
    }

    @Test
    void concurrentSetsOfANeverSetWorkspaceEachSucceedOrFailCleanlyAndEveryChangeIsOneVersion() throws Exception {
        String workspace = freshWorkspace();
        int callers = 12;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<SetWorkspacePolicyResponse>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            for (int i = 0; i < callers; i++) {
                PolicyMode mode = i % 3 == 2 ? PolicyMode.POLICY_MODE_DISABLED : PolicyMode.POLICY_MODE_PRIVATE_ONLY;
                answers.add(pool.submit(() -> {
                    start.await();
                    return setAs(admin, set(workspace, mode).setReason("concurrent"));
                }));
            }
            start.countDown();
        }

        List<SetWorkspacePolicyResponse> succeeded = new ArrayList<>();
        for (Future<SetWorkspacePolicyResponse> answer : answers) {
            try {
                succeeded.add(answer.get());
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
                StatusRuntimeException error = (StatusRuntimeException) e.getCause();
                assertThat(error.getStatus().getCode()).as(error.getStatus().toString())
                        .isNotIn(Status.Code.UNKNOWN, Status.Code.INTERNAL);
                assertThat(Clients.errorInfo(error).getDomain()).isEqualTo("aigov");
            }
        }
        List<Long> changedVersions = succeeded.stream().filter(SetWorkspacePolicyResponse::getChanged)
                .map(r -> r.getPolicy().getVersion()).sorted().toList();

        assertThat(succeeded).isNotEmpty();
        assertThat(get(workspace).getVersion()).isEqualTo(changedVersions.size());
        assertThat(changedVersions).containsExactlyElementsOf(
                IntStream.rangeClosed(1, changedVersions.size()).mapToObj(Long::valueOf).toList());
        assertThat(policySetEvents(workspace)).isEqualTo(succeeded.size());
        // The audit trail, newest first, tells the changes in the order they took effect.
        List<Long> auditedVersions = clients.audit(admin).listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setWorkspaceId(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_WORKSPACE_POLICY_SET).setPageSize(500).build())
                .getEventsList().stream()
                .filter(event -> event.getPolicyChange().getChanged())
                .map(event -> event.getPolicyChange().getAfterVersion())
                .toList();
        assertThat(auditedVersions).containsExactlyElementsOf(changedVersions.reversed());
    }
}
