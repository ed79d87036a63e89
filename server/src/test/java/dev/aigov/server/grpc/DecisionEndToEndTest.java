package dev.aigov.server.grpc;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.ListUseCasesResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.ProviderClass;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** EvaluateAiRequest and ListUseCases over a real channel, against the real server and database. */
@WithAigovServer
class DecisionEndToEndTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    DecisionEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    static EvaluateAiRequestRequest.Builder answerDraft(String workspace) {
        return dev.aigov.server.testing.Requests.answerDraft(workspace);
    }

    private String privateOnlyWorkspace() {
        String workspace = freshWorkspace();
        clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        return workspace;
    }

    private Decision evaluate(EvaluateAiRequestRequest.Builder request) {
        return clients.decisions(admin).evaluateAiRequest(request.build()).getDecision();
    }

    @Test
    void approvedUseCaseIsAllowedOnceTheWorkspaceIsPrivateOnly() {
        String workspace = privateOnlyWorkspace();

        Decision decision = evaluate(answerDraft(workspace));

        assertThat(decision.getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        assertThat(decision.getReason()).isEqualTo(BlockReason.BLOCK_REASON_UNSPECIFIED);
        assertThat(decision.getAllReasonsList()).isEmpty();
        assertThat(decision.getEffectivePolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        assertThat(decision.getPolicyVersion()).isEqualTo(1);
        assertThat(decision.getExecutionState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        assertThat(UUID.fromString(decision.getDecisionId())).isNotEqualTo(UUID.fromString(decision.getAuditEventId()));
        assertThat(decision.getEvaluatedAt().getSeconds()).isPositive();
        assertThat(decision.getMessage()).startsWith("Allowed:");
    }

    @Test
    void workspaceThatNeverSetAPolicyIsBlockedAsDisabledAtVersionZero() {
        Decision decision = evaluate(answerDraft(freshWorkspace()));

        assertThat(decision.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(decision.getReason()).isEqualTo(BlockReason.BLOCK_REASON_WORKSPACE_POLICY_DISABLED);
        assertThat(decision.getEffectivePolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_DISABLED);
        assertThat(decision.getPolicyVersion()).isZero();
    }

    @Test
    void everyFailingRuleIsReportedWithTheRejectedClassifications() {
        String workspace = privateOnlyWorkspace();

        Decision decision = evaluate(answerDraft(workspace)
                .setTenantId("tenant-7")
                .setProviderClass(ProviderClass.PROVIDER_CLASS_EXTERNAL_PUBLIC)
                .setSourceFamily("support_diagnostics")
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_SECRET)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_PERSONAL_DATA));

        assertThat(decision.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(decision.getReason()).isEqualTo(BlockReason.BLOCK_REASON_PROVIDER_CLASS_NOT_PERMITTED);
        assertThat(decision.getAllReasonsList()).containsExactly(
                BlockReason.BLOCK_REASON_PROVIDER_CLASS_NOT_PERMITTED,
                BlockReason.BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED,
                BlockReason.BLOCK_REASON_SOURCE_FAMILY_NOT_PERMITTED,
                BlockReason.BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED);
        assertThat(decision.getRejectedClassificationsList()).containsExactly(
                DataClassification.DATA_CLASSIFICATION_SECRET, DataClassification.DATA_CLASSIFICATION_PERSONAL_DATA);
    }

    @Test
    void unknownUseCaseIsAnAuditedBlockNotAnError() {
        String workspace = privateOnlyWorkspace();
        int before = Clients.auditEventsForWorkspace(server.dataSource(), workspace);

        Decision decision = evaluate(answerDraft(workspace).setUseCase("marketing.email_draft"));

        assertThat(decision.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(decision.getReason()).isEqualTo(BlockReason.BLOCK_REASON_USE_CASE_NOT_APPROVED);
        assertThat(Clients.auditEventsForWorkspace(server.dataSource(), workspace)).isEqualTo(before + 1);
    }

    @Test
    void everyDecisionWritesExactlyOneAuditEvent() {
        String workspace = privateOnlyWorkspace();
        int before = Clients.auditEventsForWorkspace(server.dataSource(), workspace);

        evaluate(answerDraft(workspace));
        evaluate(answerDraft(workspace).setUseCase("nope"));
        evaluate(answerDraft(workspace));

        assertThat(Clients.auditEventsForWorkspace(server.dataSource(), workspace)).isEqualTo(before + 3);
    }

    @Test
    void replayedRequestIdReturnsTheFirstDecisionAndWritesNothingNew() {
        String workspace = privateOnlyWorkspace();
        UUID requestId = UUID.randomUUID();
        EvaluateAiRequestRequest.Builder request = answerDraft(workspace).setRequestId(requestId.toString());

        Decision first = evaluate(request);
        Decision replay = evaluate(request);

        assertThat(replay).isEqualTo(first);
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
    }

    /**
     * A block that says what would pass is replayed too, hints and all, though the trail does not
     * store the hints: a retry of it under one request_id is the first decision, one audit event.
     */
    @Test
    void replayedRequestIdOfABlockThatSaysWhatWouldPassIsTheFirstDecision() {
        String workspace = privateOnlyWorkspace();
        UUID requestId = UUID.randomUUID();
        EvaluateAiRequestRequest.Builder request = answerDraft(workspace).setRequestId(requestId.toString())
                .setProviderClass(dev.aigov.api.v1.ProviderClass.PROVIDER_CLASS_EXTERNAL_PUBLIC);

        Decision first = evaluate(request);
        Decision replay = evaluate(request);

        assertThat(first.getReason()).isEqualTo(BlockReason.BLOCK_REASON_PROVIDER_CLASS_NOT_PERMITTED);
        assertThat(first.getPermittedProviderClassesList()).containsExactly(dev.aigov.api.v1.ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE);
        assertThat(replay).isEqualTo(first);
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
    }

    @Test
    void replayAfterAPauseIsDecidedAfreshAndNeverCarriesTheOldAllow() {
        String workspace = privateOnlyWorkspace();
        UUID requestId = UUID.randomUUID();
        EvaluateAiRequestRequest.Builder request = answerDraft(workspace).setRequestId(requestId.toString());
        Decision allowed = evaluate(request);

        clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                .setWorkspaceId(workspace).setState(ControlState.CONTROL_STATE_PAUSED).setReason("INC-1: replay test").build());
        Decision afterPause = evaluate(request);
        Decision retriedAgain = evaluate(request);

        assertThat(allowed.getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        assertThat(afterPause.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(afterPause.getReason()).isEqualTo(BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
        assertThat(afterPause.getDecisionId()).isNotEqualTo(allowed.getDecisionId());
        assertThat(retriedAgain).as("an unchanged state replays the newest decision").isEqualTo(afterPause);
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(2);
    }

    @Test
    void sameRequestIdWithAnotherRequestIsAlreadyExistsAndWritesNothing() {
        String workspace = privateOnlyWorkspace();
        UUID requestId = UUID.randomUUID();
        evaluate(answerDraft(workspace).setRequestId(requestId.toString()));

        assertThatThrownBy(() -> evaluate(answerDraft(workspace).setRequestId(requestId.toString()).setTenantId("t-1")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_REQUEST_ID_REUSED");
                    assertThat(Clients.errorInfo(error).getMetadataMap()).containsEntry("field", "request_id");
                });
        assertThat(Clients.auditEventsWithRequestId(server.dataSource(), requestId)).isEqualTo(1);
    }

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                bad("workspace_id", r -> r.setWorkspaceId("")),
                bad("workspace_id", r -> r.setWorkspaceId("x".repeat(129))),
                bad("workspace_id", r -> r.setWorkspaceId("ws one")),
                bad("tenant_id", r -> r.setTenantId("tenant/7")),
                bad("use_case", r -> r.setUseCase("")),
                bad("provider_class", r -> r.setProviderClass(ProviderClass.PROVIDER_CLASS_UNSPECIFIED)),
                bad("provider_class", r -> r.setProviderClassValue(99)),
                bad("data_classifications", EvaluateAiRequestRequest.Builder::clearDataClassifications),
                bad("data_classifications", r -> r.clearDataClassifications().addAllDataClassifications(
                        Collections.nCopies(17, DataClassification.DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE))),
                bad("data_classifications[1]", r -> r.addDataClassificationsValue(0)),
                bad("data_classifications[1]", r -> r.addDataClassificationsValue(42)),
                bad("source_family", r -> r.setSourceFamily("")),
                bad("actor", EvaluateAiRequestRequest.Builder::clearActor),
                bad("actor.id", r -> r.setActor(Actor.newBuilder().setKind(ActorKind.ACTOR_KIND_SERVICE))),
                bad("actor.kind", r -> r.setActor(Actor.newBuilder().setId("svc"))),
                bad("caller_surface", r -> r.setCallerSurface("help panel")),
                bad("request_id", r -> r.setRequestId("not-a-uuid")));
    }

    private static Arguments bad(String field, UnaryOperator<EvaluateAiRequestRequest.Builder> breakIt) {
        return arguments(field, breakIt);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void malformedRequestIsInvalidArgumentNamingTheFieldAndRecordsNothing(
            String field, UnaryOperator<EvaluateAiRequestRequest.Builder> breakIt) {
        String workspace = privateOnlyWorkspace();
        int before = Clients.auditEventsForWorkspace(server.dataSource(), workspace);

        assertThatThrownBy(() -> evaluate(breakIt.apply(answerDraft(workspace))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(error.getStatus().getDescription()).startsWith(field);
                    ErrorInfo info = Clients.errorInfo(error);
                    assertThat(info.getDomain()).isEqualTo("aigov");
                    assertThat(info.getReason()).isEqualTo("ERROR_REASON_INVALID_FIELD");
                    assertThat(info.getMetadataMap()).containsEntry("field", field);
                });
        assertThat(Clients.auditEventsForWorkspace(server.dataSource(), workspace)).isEqualTo(before);
    }

    @Test
    void listUseCasesReturnsTheCatalogToAnyValidToken() {
        String auditor = server.mintToken("auditor", Set.of("audit.read"), List.of());

        ListUseCasesResponse catalog = clients.decisions(auditor).listUseCases(ListUseCasesRequest.getDefaultInstance());

        assertThat(catalog.getUseCasesList()).extracting(dev.aigov.api.v1.UseCase::getKey)
                .containsExactly("product_knowledge.answer_draft", "support_diagnostics.summary_draft");
        dev.aigov.api.v1.UseCase summary = catalog.getUseCases(1);
        assertThat(summary.getTenantContextPermitted()).isTrue();
        assertThat(summary.getSourceFamily()).isEqualTo("support_diagnostics");
        assertThat(summary.getProviderClassesList()).containsExactly(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE);
        assertThat(summary.getDataClassificationsList()).containsExactly(
                DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA,
                DataClassification.DATA_CLASSIFICATION_WORKSPACE_CONFIGURATION,
                DataClassification.DATA_CLASSIFICATION_TENANT_CONFIGURATION);
    }

    @Test
    void evaluatingNeedsTheEvaluateCapability() {
        String auditor = server.mintToken("auditor", Set.of("audit.read"), List.of());

        assertThatThrownBy(() -> clients.decisions(auditor).evaluateAiRequest(answerDraft(freshWorkspace()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_MISSING_CAPABILITY");
                    assertThat(Clients.errorInfo(error).getMetadataMap()).containsEntry("capability", "ai.decisions.evaluate");
                });
    }

    @Test
    void evaluateTokenLimitedToWorkspacesCannotDecideForAnother() {
        String mine = privateOnlyWorkspace();
        String token = server.mintToken("sibling", Set.of("ai.decisions.evaluate"), List.of(mine));

        Decision allowed = clients.decisions(token).evaluateAiRequest(answerDraft(mine).build()).getDecision();
        assertThat(allowed.getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        assertThatThrownBy(() -> clients.decisions(token).evaluateAiRequest(answerDraft(freshWorkspace()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_WORKSPACE_NOT_PERMITTED");
                    assertThat(Clients.errorInfo(error).getMetadataMap()).containsEntry("field", "workspace_id");
                });
    }
}
