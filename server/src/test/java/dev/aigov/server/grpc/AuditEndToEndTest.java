package dev.aigov.server.grpc;

import static dev.aigov.server.grpc.StatusAssertions.assertInvalidField;
import static dev.aigov.server.grpc.StatusAssertions.assertMissingCapability;
import static dev.aigov.server.grpc.StatusAssertions.assertWorkspaceNotPermitted;
import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.AuditEvent;
import dev.aigov.api.v1.AuditEventKind;
import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.ControlChangeAudit;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.DecisionAudit;
import dev.aigov.api.v1.DeniedMutationAudit;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.ListAuditEventsResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyChangeAudit;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.ProviderClass;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.catalog.CatalogFile;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.TestServer.NamedToken;
import dev.aigov.server.testing.WithAigovServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** ListAuditEvents over a real channel, and the append-only audit table underneath it. */
// Over Netty: the trail records each denied caller's peer address, which only a socket has.
@WithAigovServer(transport = WithAigovServer.Transport.NETTY)
class AuditEndToEndTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    AuditEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private ListAuditEventsResponse listAs(String token, ListAuditEventsRequest.Builder request) {
        return clients.audit(token).listAuditEvents(request.build());
    }

    private List<AuditEvent> list(ListAuditEventsRequest.Builder request) {
        return listAs(admin, request).getEventsList();
    }

    private static ListAuditEventsRequest.Builder of(String workspace) {
        return ListAuditEventsRequest.newBuilder().setWorkspaceId(workspace);
    }

    private long setPolicy(String workspace, PolicyMode mode) {
        return clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(mode).build()).getPolicy().getVersion();
    }

    private String privateOnlyWorkspace() {
        String workspace = freshWorkspace();
        setPolicy(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        return workspace;
    }

    private static EvaluateAiRequestRequest.Builder summaryDraft(String workspace) {
        return EvaluateAiRequestRequest.newBuilder()
                .setWorkspaceId(workspace)
                .setTenantId("tenant-9")
                .setUseCase("support_diagnostics.summary_draft")
                .setProviderClass(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_TENANT_CONFIGURATION)
                .setSourceFamily("support_diagnostics")
                .setActor(Actor.newBuilder().setId("diagnostics-job").setKind(ActorKind.ACTOR_KIND_SERVICE))
                .setCallerSurface("diagnostics-export");
    }

    private Decision evaluateAs(String token, EvaluateAiRequestRequest.Builder request) {
        return clients.decisions(token).evaluateAiRequest(request.build()).getDecision();
    }

    private static Timestamp plusMicros(Timestamp at, long micros) {
        return plusNanos(at, micros * 1_000);
    }

    private static Timestamp plusNanos(Timestamp at, long plus) {
        long nanos = at.getNanos() + plus;
        return Timestamp.newBuilder().setSeconds(at.getSeconds() + Math.floorDiv(nanos, 1_000_000_000L))
                .setNanos((int) Math.floorMod(nanos, 1_000_000_000L)).build();
    }

    private static final Comparator<AuditEvent> NEWEST_FIRST = Comparator
            .comparing((AuditEvent event) -> event.getOccurredAt().getSeconds())
            .thenComparing(event -> event.getOccurredAt().getNanos())
            // PostgreSQL orders uuids by their bytes, unsigned: the order of their lower-case hex text.
            .thenComparing(AuditEvent::getEventId)
            .reversed();

    @Test
    void decisionEventRecordsTheRequestsMetadataAndTheAnswer() {
        String workspace = privateOnlyWorkspace();
        NamedToken caller = server.mintNamed("sibling", Set.of("ai.decisions.evaluate"), List.of());
        UUID requestId = UUID.randomUUID();
        Decision decision = evaluateAs(caller.token(), summaryDraft(workspace)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_PERSONAL_DATA)
                .setRequestId(requestId.toString()));

        List<AuditEvent> events = list(of(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION));

        assertThat(events).hasSize(1);
        AuditEvent event = events.get(0);
        assertThat(event.getEventId()).isEqualTo(decision.getAuditEventId());
        assertThat(event.getKind()).isEqualTo(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION);
        assertThat(event.getOccurredAt()).isEqualTo(decision.getEvaluatedAt());
        assertThat(event.getWorkspaceId()).isEqualTo(workspace);
        assertThat(event.getTenantId()).isEqualTo("tenant-9");
        assertThat(event.getPrincipal()).isEqualTo(caller.name());
        assertThat(event.getActor()).isEqualTo(Actor.newBuilder().setId("diagnostics-job").setKind(ActorKind.ACTOR_KIND_SERVICE).build());
        assertThat(event.getCallerSurface()).isEqualTo("diagnostics-export");
        assertThat(event.getRequestId()).isEqualTo(requestId.toString());
        assertThat(event.getDetailsCase()).isEqualTo(AuditEvent.DetailsCase.DECISION);
        DecisionAudit details = event.getDecision();
        assertThat(details.getDecisionId()).isEqualTo(decision.getDecisionId());
        assertThat(details.getUseCase()).isEqualTo("support_diagnostics.summary_draft");
        assertThat(details.getProviderClass()).isEqualTo(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE);
        assertThat(details.getDataClassificationsList()).containsExactly(
                DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA,
                DataClassification.DATA_CLASSIFICATION_TENANT_CONFIGURATION,
                DataClassification.DATA_CLASSIFICATION_PERSONAL_DATA);
        assertThat(details.getSourceFamily()).isEqualTo("support_diagnostics");
        assertThat(details.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(details.getReason()).isEqualTo(BlockReason.BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED);
        assertThat(details.getAllReasonsList()).containsExactly(BlockReason.BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED);
        assertThat(details.getRejectedClassificationsList()).containsExactly(DataClassification.DATA_CLASSIFICATION_PERSONAL_DATA);
        assertThat(details.getEffectivePolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        assertThat(details.getPolicyVersion()).isEqualTo(1);
        assertThat(details.getExecutionState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        assertThat(details.getControlVersion()).isEqualTo(decision.getControlVersion());
    }

    @Test
    void allowedDecisionIsRecordedWithoutReasons() {
        String workspace = privateOnlyWorkspace();
        Decision decision = evaluateAs(admin, summaryDraft(workspace));

        AuditEvent event = list(of(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION)).get(0);

        assertThat(decision.getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        assertThat(event.getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        assertThat(event.getDecision().getReason()).isEqualTo(BlockReason.BLOCK_REASON_UNSPECIFIED);
        assertThat(event.getDecision().getAllReasonsList()).isEmpty();
        assertThat(event.getDecision().getRejectedClassificationsList()).isEmpty();
        assertThat(event.getRequestId()).isEmpty();
    }

    @Test
    void aDecisionEventHasNoFieldThatCouldCarryContent() {
        String workspace = privateOnlyWorkspace();
        evaluateAs(admin, summaryDraft(workspace));
        AuditEvent event = list(of(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION)).get(0);

        // Every string a decision event carries is an id, a key or a UUID: none is free text. The one
        // exception is the catalog's label: the operator's text from the catalog file, never a caller's.
        assertThat(event.getDecision().getCatalog().getDigest()).matches("sha256:[0-9a-f]{64}");
        assertThat(event.getDecision().getCatalog().getLabel()).isEqualTo(CatalogFile.builtIn().label().orElseThrow());
        List<String> strings = new ArrayList<>();
        collectStrings(event.toBuilder().setDecision(event.getDecision().toBuilder().clearCatalog()).build(), strings);
        assertThat(strings).isNotEmpty().allSatisfy(value -> assertThat(value).matches(ID));
        assertThat(stringFieldNames(dev.aigov.api.v1.CatalogVersion.getDescriptor())).containsExactly("digest", "label");
        // And the contract has no field a prompt, a document or model output could be put in.
        assertThat(stringFieldNames(AuditEvent.getDescriptor())).containsExactlyInAnyOrder(
                "event_id", "workspace_id", "tenant_id", "principal", "caller_surface", "request_id");
        // client_version is bounded by the server to 64 of [A-Za-z0-9._+-], whatever the header said.
        assertThat(stringFieldNames(DecisionAudit.getDescriptor())).containsExactlyInAnyOrder(
                "decision_id", "use_case", "source_family", "client_version");
        assertThat(stringFieldNames(Actor.getDescriptor())).containsExactly("id");
    }

    private static void collectStrings(Message message, List<String> strings) {
        message.getAllFields().forEach((field, value) -> {
            if (field.getJavaType() == FieldDescriptor.JavaType.STRING) {
                strings.add((String) value);
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
                collectStrings((Message) value, strings);
            }
        });
    }

    private static List<String> stringFieldNames(Descriptor descriptor) {
        return descriptor.getFields().stream()
                .filter(field -> field.getJavaType() == FieldDescriptor.JavaType.STRING)
                .map(FieldDescriptor::getName)
                .toList();
    }

    @Test
    void policyChangesAreRecordedWithBeforeAndAfter() {
        String workspace = freshWorkspace();
        NamedToken manager = server.mintNamed("ws-admin", Set.of("workspace.ai_policy.manage"), List.of(workspace));
        UUID requestId = UUID.randomUUID();
        var policies = clients.policies(manager.token());
        policies.setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).setReason("pilot").setRequestId(requestId.toString()).build());
        policies.setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).setReason("again").build());
        policies.setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                .setPolicyMode(PolicyMode.POLICY_MODE_DISABLED).build());

        List<AuditEvent> events = list(of(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_WORKSPACE_POLICY_SET));

        assertThat(events).hasSize(3);
        assertThat(events).extracting(AuditEvent::getPrincipal).containsOnly(manager.name());
        assertThat(events).extracting(AuditEvent::getDetailsCase).containsOnly(AuditEvent.DetailsCase.POLICY_CHANGE);
        assertThat(events).extracting(AuditEvent::getRequestId).containsExactly("", "", requestId.toString());
        assertThat(events).extracting(AuditEvent::getPolicyChange).containsExactly(
                policyChange(PolicyMode.POLICY_MODE_PRIVATE_ONLY, 1, PolicyMode.POLICY_MODE_DISABLED, 2, true, ""),
                policyChange(PolicyMode.POLICY_MODE_PRIVATE_ONLY, 1, PolicyMode.POLICY_MODE_PRIVATE_ONLY, 1, false, "again"),
                policyChange(PolicyMode.POLICY_MODE_DISABLED, 0, PolicyMode.POLICY_MODE_PRIVATE_ONLY, 1, true, "pilot"));
    }

    private static PolicyChangeAudit policyChange(PolicyMode beforeMode, long beforeVersion, PolicyMode afterMode, long afterVersion,
            boolean changed, String reason) {
        return PolicyChangeAudit.newBuilder().setBeforeMode(beforeMode).setBeforeVersion(beforeVersion)
                .setAfterMode(afterMode).setAfterVersion(afterVersion).setChanged(changed).setReason(reason).build();
    }

    @Test
    void controlChangesAreRecordedWithTheirReasonAndScope() {
        String workspace = freshWorkspace();
        NamedToken operator = server.mintNamed("operator", Set.of("ops.controls.manage"), List.of());
        var controls = clients.controls(operator.token());
        controls.setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution").setWorkspaceId(workspace)
                .setState(ControlState.CONTROL_STATE_PAUSED).setReason("incident 12").build());
        controls.setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution").setWorkspaceId(workspace)
                .setState(ControlState.CONTROL_STATE_ENABLED).setReason("incident 12 resolved").build());
        // Resuming the global control while it is enabled changes nothing, and is recorded at the global scope.
        UUID globalRequest = UUID.randomUUID();
        controls.setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                .setState(ControlState.CONTROL_STATE_ENABLED).setRequestId(globalRequest.toString()).build());

        List<AuditEvent> events = list(of(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET));

        assertThat(events).hasSize(2);
        assertThat(events).extracting(AuditEvent::getPrincipal).containsOnly(operator.name());
        assertThat(events).extracting(AuditEvent::getWorkspaceId).containsOnly(workspace);
        assertThat(events).extracting(AuditEvent::getControlChange).containsExactly(
                ControlChangeAudit.newBuilder().setControlKey("ai.execution").setBeforeState(ControlState.CONTROL_STATE_PAUSED)
                        .setAfterState(ControlState.CONTROL_STATE_ENABLED).setVersion(2).setChanged(true)
                        .setReason("incident 12 resolved").build(),
                ControlChangeAudit.newBuilder().setControlKey("ai.execution").setBeforeState(ControlState.CONTROL_STATE_ENABLED)
                        .setAfterState(ControlState.CONTROL_STATE_PAUSED).setVersion(1).setChanged(true)
                        .setReason("incident 12").build());
        AuditEvent global = list(ListAuditEventsRequest.newBuilder().setKind(AuditEventKind.AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET))
                .stream().filter(event -> event.getRequestId().equals(globalRequest.toString())).findFirst().orElseThrow();
        assertThat(global.getWorkspaceId()).isEmpty();
        assertThat(global.getControlChange().getChanged()).isFalse();
        assertThat(global.getControlChange().getAfterState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
    }

    @Test
    void deniedMutationIsRecordedWithMethodStatusReasonAndCapability() {
        String workspace = freshWorkspace();
        NamedToken viewer = server.mintNamed("viewer", Set.of("workspace.ai_policy.view"), List.of());
        assertMissingCapability(() -> clients.controls(viewer.token())
                .setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution").setWorkspaceId(workspace)
                        .setState(ControlState.CONTROL_STATE_PAUSED).setReason("not mine to pause").build()),
                "ops.controls.manage");

        List<AuditEvent> events = list(of(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_MUTATION_DENIED));

        assertThat(events).hasSize(1);
        assertThat(events.get(0).getPrincipal()).isEqualTo(viewer.name());
        assertThat(events.get(0).getDeniedMutation()).isEqualTo(DeniedMutationAudit.newBuilder()
                .setMethod(ExecutionControlServiceGrpc.getSetExecutionControlMethod().getFullMethodName())
                .setStatusCode("PERMISSION_DENIED")
                .setErrorReason("ERROR_REASON_MISSING_CAPABILITY")
                .setCapability("ops.controls.manage")
                .setPeer("127.0.0.1")
                .build());
    }

    @Test
    void filtersKeepOneWorkspaceOneKindOrOneOutcome() {
        String workspace = privateOnlyWorkspace();
        String other = privateOnlyWorkspace();
        evaluateAs(admin, summaryDraft(workspace));
        evaluateAs(admin, summaryDraft(workspace).setUseCase("not.in.catalog"));
        evaluateAs(admin, summaryDraft(other));

        List<AuditEvent> all = list(of(workspace));
        List<AuditEvent> decisions = list(of(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION));
        List<AuditEvent> blocks = list(of(workspace).setOutcome(Outcome.OUTCOME_BLOCK));
        List<AuditEvent> allows = list(of(workspace).setOutcome(Outcome.OUTCOME_ALLOW));

        assertThat(all).hasSize(3).extracting(AuditEvent::getWorkspaceId).containsOnly(workspace);
        assertThat(all).extracting(AuditEvent::getKind).containsExactly(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION,
                AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION, AuditEventKind.AUDIT_EVENT_KIND_WORKSPACE_POLICY_SET);
        assertThat(decisions).hasSize(2);
        assertThat(blocks).hasSize(1).allSatisfy(event -> {
            assertThat(event.getKind()).isEqualTo(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION);
            assertThat(event.getDecision().getReason()).isEqualTo(BlockReason.BLOCK_REASON_USE_CASE_NOT_APPROVED);
        });
        assertThat(allows).hasSize(1).allSatisfy(event -> assertThat(event.getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW));
        assertThat(list(of(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_WORKSPACE_POLICY_SET)
                .setOutcome(Outcome.OUTCOME_ALLOW))).isEmpty();
        // Without a workspace, an outcome filter still returns decisions only.
        assertThat(list(ListAuditEventsRequest.newBuilder().setOutcome(Outcome.OUTCOME_ALLOW).setPageSize(100)))
                .isNotEmpty()
                .allSatisfy(event -> assertThat(event.getKind()).isEqualTo(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION));
    }

    @Test
    void timeRangeIncludesItsStartAndExcludesItsEnd() {
        String workspace = freshWorkspace();
        setPolicy(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        setPolicy(workspace, PolicyMode.POLICY_MODE_DISABLED);
        setPolicy(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        List<AuditEvent> all = list(of(workspace));
        assertThat(all).hasSize(3);
        AuditEvent newest = all.get(0);
        AuditEvent middle = all.get(1);
        AuditEvent oldest = all.get(2);
        Timestamp at = middle.getOccurredAt();

        assertThat(list(of(workspace).setStartTime(at))).containsExactly(newest, middle);
        assertThat(list(of(workspace).setEndTime(at))).containsExactly(oldest);
        assertThat(list(of(workspace).setEndTime(plusMicros(at, 1)))).containsExactly(middle, oldest);
        assertThat(list(of(workspace).setStartTime(at).setEndTime(plusMicros(at, 1)))).containsExactly(middle);
        assertInvalidField(() -> list(of(workspace).setStartTime(at).setEndTime(plusMicros(at, -1))), "end_time");
        assertInvalidField(() -> list(of(workspace).setStartTime(at).setEndTime(at)), "end_time");
        assertInvalidField(() -> list(of(workspace).setStartTime(Timestamp.newBuilder().setSeconds(1).setNanos(-1))), "start_time");
        assertInvalidField(() -> list(of(workspace).setEndTime(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))), "end_time");
    }

    @Test
    void timeRangeBoundsFinerThanMicrosecondsKeepTheirMeaning() {
        String workspace = freshWorkspace();
        setPolicy(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        AuditEvent event = list(of(workspace)).get(0);
        Timestamp at = event.getOccurredAt();
        Timestamp oneNanoLater = plusNanos(at, 1);
        Timestamp oneNanoEarlier = plusNanos(at, -1);
        assertThat(at.getNanos() % 1_000).as("events are recorded in microseconds").isZero();

        assertThat(list(of(workspace).setStartTime(oneNanoLater))).isEmpty();
        assertThat(list(of(workspace).setStartTime(oneNanoEarlier))).containsExactly(event);
        assertThat(list(of(workspace).setEndTime(oneNanoLater))).containsExactly(event);
        assertThat(list(of(workspace).setEndTime(oneNanoEarlier))).isEmpty();
    }

    @Test
    void pagesNeitherRepeatNorSkipEventsRecordedAtTheSameInstant() {
        String workspace = freshWorkspace();
        Instant sameInstant = Instant.now().truncatedTo(ChronoUnit.MICROS);
        dev.aigov.server.evidence.Evidence evidence = dev.aigov.server.testing.TestEvidence.create();
        for (int i = 0; i < 5; i++) {
            String principal = "tie-" + i;
            server.database().dsl().transaction(cfg -> evidence.append(cfg.dsl(), new dev.aigov.server.audit.AuditEvent.MutationDenied(
                    new dev.aigov.server.audit.AuditEvent.Header(UUID.randomUUID(), sameInstant, workspace, principal, Optional.empty()),
                    "aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", "PERMISSION_DENIED",
                    "ERROR_REASON_MISSING_CAPABILITY", "workspace.ai_policy.manage")));
        }
        List<AuditEvent> whole = list(of(workspace));

        List<AuditEvent> walked = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            ListAuditEventsResponse page = listAs(admin, of(workspace).setPageSize(2).setPageToken(token));
            walked.addAll(page.getEventsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty() && ++pages < 10);

        assertThat(whole).hasSize(5).isSortedAccordingTo(NEWEST_FIRST);
        assertThat(walked).containsExactlyElementsOf(whole);
    }

    @Test
    void pagesWalkTheTrailNewestFirstWithoutDuplicatesOrGaps() {
        String workspace = freshWorkspace();
        for (int i = 0; i < 7; i++) {
            setPolicy(workspace, i % 2 == 0 ? PolicyMode.POLICY_MODE_PRIVATE_ONLY : PolicyMode.POLICY_MODE_DISABLED);
        }
        List<AuditEvent> whole = list(of(workspace).setPageSize(500));
        assertThat(whole).hasSize(7).isSortedAccordingTo(NEWEST_FIRST);
        assertThat(whole).extracting(event -> event.getPolicyChange().getAfterVersion()).containsExactly(7L, 6L, 5L, 4L, 3L, 2L, 1L);

        List<AuditEvent> walked = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String token = "";
        do {
            ListAuditEventsResponse page = listAs(admin, of(workspace).setPageSize(3).setPageToken(token));
            walked.addAll(page.getEventsList());
            sizes.add(page.getEventsCount());
            token = page.getNextPageToken();
        } while (!token.isEmpty() && sizes.size() < 10);

        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(walked).containsExactlyElementsOf(whole);
        assertThat(list(of(workspace))).hasSize(7);
    }

    @Test
    void pageTokenOnlyContinuesTheListingThatIssuedIt() {
        String workspace = freshWorkspace();
        setPolicy(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        setPolicy(workspace, PolicyMode.POLICY_MODE_DISABLED);
        String token = listAs(admin, of(workspace).setPageSize(1)).getNextPageToken();
        assertThat(token).isNotEmpty();
        String otherReader = server.mintToken("auditor", Set.of("audit.read"), List.of());

        assertThat(listAs(admin, of(workspace).setPageSize(1).setPageToken(token)).getEventsCount()).isEqualTo(1);
        assertInvalidField(() -> list(of(freshWorkspace()).setPageToken(token)), "page_token");
        assertInvalidField(() -> list(of(workspace).setKind(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION).setPageToken(token)),
                "page_token");
        assertInvalidField(() -> listAs(otherReader, of(workspace).setPageToken(token)), "page_token");
        assertInvalidField(() -> list(of(workspace).setPageToken("not a token")), "page_token");
        assertInvalidField(() -> list(of(workspace).setPageToken("AAAA")), "page_token");
    }

    @Test
    void malformedListingIsInvalidArgumentNamingTheField() {
        assertInvalidField(() -> list(of("ws one")), "workspace_id");
        assertInvalidField(() -> list(of("w".repeat(129))), "workspace_id");
        assertInvalidField(() -> list(ListAuditEventsRequest.newBuilder().setKindValue(99)), "kind");
        assertInvalidField(() -> list(ListAuditEventsRequest.newBuilder().setOutcomeValue(99)), "outcome");
        assertInvalidField(() -> list(ListAuditEventsRequest.newBuilder().setPageSize(501)), "page_size");
        assertInvalidField(() -> list(ListAuditEventsRequest.newBuilder().setPageSize(-1)), "page_size");
    }

    @Test
    void readerLimitedToOneWorkspaceSeesOnlyItsEvents() {
        String mine = privateOnlyWorkspace();
        String theirs = privateOnlyWorkspace();
        evaluateAs(admin, summaryDraft(mine));
        evaluateAs(admin, summaryDraft(theirs));
        String reader = server.mintToken("limited-auditor", Set.of("audit.read"), List.of(mine));

        List<AuditEvent> unfiltered = listAs(reader, ListAuditEventsRequest.newBuilder().setPageSize(500)).getEventsList();
        List<AuditEvent> filtered = listAs(reader, of(mine)).getEventsList();

        assertThat(unfiltered).hasSize(2).extracting(AuditEvent::getWorkspaceId).containsOnly(mine);
        assertThat(filtered).isEqualTo(unfiltered);
        assertWorkspaceNotPermitted(() -> listAs(reader, of(theirs)));
    }

    @Test
    void listingNeedsAuditRead() {
        String workspace = freshWorkspace();
        String operator = server.mintToken("operator", Set.of("ops.controls.manage", "ops.controls.view"), List.of());
        String manager = server.mintToken("ws-admin", Set.of("workspace.ai_policy.manage"), List.of(workspace));

        assertMissingCapability(() -> listAs(operator, ListAuditEventsRequest.newBuilder()), "audit.read");
        assertMissingCapability(() -> listAs(manager, of(workspace)), "audit.read");
    }

    @Test
    void auditEventsCannotBeUpdatedOrDeletedInTheDatabase() throws SQLException {
        String workspace = freshWorkspace();
        setPolicy(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        AuditEvent event = list(of(workspace)).get(0);
        UUID eventId = UUID.fromString(event.getEventId());

        try (Connection connection = server.dataSource().getConnection()) {
            assertRefused(connection, "UPDATE audit_events SET change_reason = 'rewritten' WHERE event_id = ?", eventId);
            assertRefused(connection, "DELETE FROM audit_events WHERE event_id = ?", eventId);
            String partition = partitionOf(connection, eventId);
            assertThat(partition).startsWith("audit_events_");
            assertRefused(connection, "UPDATE " + partition + " SET workspace_id = 'elsewhere' WHERE event_id = ?", eventId);
            assertRefused(connection, "DELETE FROM " + partition + " WHERE event_id = ?", eventId);
        }

        assertThat(list(of(workspace))).containsExactly(event);
    }

    private static void assertRefused(Connection connection, String sql, UUID eventId) {
        SQLException refused = catchThrowableOfType(SQLException.class, () -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setObject(1, eventId);
                statement.executeUpdate();
            }
        });
        assertThat((Throwable) refused).as(sql).isNotNull();
        assertThat(refused.getSQLState()).as(refused.getMessage()).isEqualTo("42501");
        // The server's role has no UPDATE or DELETE at all; the triggers refuse even the owner (LeastPrivilegeTest).
        assertThat(refused.getMessage()).containsAnyOf("append-only", "permission denied");
    }

    private static String partitionOf(Connection connection, UUID eventId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT tableoid::regclass::text FROM audit_events WHERE event_id = ?")) {
            statement.setObject(1, eventId);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        }
    }
}
