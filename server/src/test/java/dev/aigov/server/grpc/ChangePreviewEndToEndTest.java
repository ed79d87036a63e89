package dev.aigov.server.grpc;

import static dev.aigov.server.grpc.StatusAssertions.assertFails;
import static dev.aigov.server.grpc.StatusAssertions.assertInvalidField;
import static dev.aigov.server.grpc.StatusAssertions.assertMissingCapability;
import static dev.aigov.server.grpc.StatusAssertions.assertWorkspaceNotPermitted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.AuditEvent;
import dev.aigov.api.v1.AuditEventKind;
import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.ChangePreview;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.PreviewBucket;
import dev.aigov.api.v1.PreviewExecutionControlChangeRequest;
import dev.aigov.api.v1.PreviewWorkspacePolicyChangeRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.Main;
import dev.aigov.server.preview.Candidate;
import dev.aigov.server.preview.ChangePreviews;
import dev.aigov.server.preview.Preview;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.AuditRows;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PreviewWorkspacePolicyChange, PreviewExecutionControlChange and {@code preview --catalog} on a seeded
 * trail of known decisions, on a database of the class's own (a global preview reads every
 * workspace's decisions). The expected flips are computed here, by a model of the rules that knows why
 * each seeded decision was answered as it was, never by the code under test.
 */
@WithAigovServer(privateDatabase = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangePreviewEndToEndTest {
    private static final String KEY = "ai.execution";
    private static final String ANSWER = "product_knowledge.answer_draft";
    private static final String SUMMARY = "support_diagnostics.summary_draft";

    private final TestServer server;
    private final Clients clients;
    private final String admin;
    private final List<Seeded> trail = new ArrayList<>();

    ChangePreviewEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    /**
     * One recorded decision and why it was answered so: which scopes were paused, the policy mode, and
     * whether its classifications were outside its use case.
     */
    record Seeded(UUID decisionId, Instant at, String workspace, String useCase, String surface, List<String> classifications,
            String mode, boolean workspacePaused, boolean globalPaused, boolean classificationRejected) {

        Seeded with(UnaryOperator<Seeded> change) {
            return change.apply(this);
        }

        /** The first failing rule, in the contract's order; empty for an ALLOW. */
        Optional<BlockReason> reason() {
            if (workspacePaused || globalPaused) {
                return Optional.of(BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED);
            }
            if (mode.equals("disabled")) {
                return Optional.of(BlockReason.BLOCK_REASON_WORKSPACE_POLICY_DISABLED);
            }
            if (classificationRejected) {
                return Optional.of(BlockReason.BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED);
            }
            return Optional.empty();
        }

        Outcome outcome() {
            return reason().isPresent() ? Outcome.OUTCOME_BLOCK : Outcome.OUTCOME_ALLOW;
        }
    }

    /** Workspace A, B: decisions inserted as recorded; C: decisions made through EvaluateAiRequest. */
    private final String a = Clients.freshWorkspace();
    private final String b = Clients.freshWorkspace();
    private final String c = Clients.freshWorkspace();

    @BeforeAll
    void seedTheTrail() throws SQLException {
        Instant base = Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS);
        // A paused [t1, t3), global paused [t2, t4): t1 < t2 < t3 < t4.
        Instant t1 = base.plusSeconds(1_000);
        Instant t2 = base.plusSeconds(2_000);
        Instant t3 = base.plusSeconds(3_000);
        Instant t4 = base.plusSeconds(4_000);
        List<String> knowledge = List.of("product_knowledge");
        int second = 0;
        // Older than a day: outside the default window.
        seed(base.minus(30, ChronoUnit.HOURS), a, ANSWER, "help-panel", knowledge, "private_only", false, false, false);
        for (int i = 0; i < 25; i++) {
            seed(base.plusSeconds(++second), a, ANSWER, "help-panel", knowledge, "private_only", false, false, false);
        }
        for (int i = 0; i < 2; i++) {
            seed(base.plusSeconds(++second), a, SUMMARY, "nightly-job", List.of("operational_metadata"), "private_only", false, false,
                    false);
        }
        for (int i = 0; i < 3; i++) {
            seed(base.plusSeconds(++second), a, ANSWER, "kb-search", List.of("product_knowledge", "operational_metadata"),
                    "private_only", false, false, false);
        }
        seed(base.plusSeconds(++second), a, ANSWER, "help-panel", List.of("product_knowledge", "personal_data"), "private_only",
                false, false, true);
        for (int i = 0; i < 2; i++) {
            seed(base.plusSeconds(++second), a, ANSWER, "help-panel", knowledge, "disabled", false, false, false);
        }
        seed(t1.plusSeconds(10), a, ANSWER, "help-panel", knowledge, "private_only", true, false, false);
        seed(t2.plusSeconds(10), a, ANSWER, "help-panel", knowledge, "private_only", true, true, false);
        seed(t3.plusSeconds(10), a, ANSWER, "help-panel", knowledge, "private_only", false, true, false);
        for (int i = 0; i < 3; i++) {
            seed(base.plusSeconds(++second), b, ANSWER, "help-panel", knowledge, "private_only", false, false, false);
        }
        for (int i = 0; i < 2; i++) {
            seed(t2.plusSeconds(20 + i), b, ANSWER, "side-panel", knowledge, "private_only", false, true, false);
        }
        activation(a, "paused", 1, t1);
        activation("", "paused", 1, t2);
        activation(a, "enabled", 2, t3);
        activation("", "enabled", 2, t4);

        clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(c)
                .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        for (int i = 0; i < 3; i++) {
            EvaluateAiRequestResponse answer = clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(c).build());
            assertThat(answer.getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
            trail.add(new Seeded(UUID.fromString(answer.getDecision().getDecisionId()),
                    occurredAt(UUID.fromString(answer.getDecision().getDecisionId())), c, ANSWER, "help-panel", knowledge,
                    "private_only", false, false, false));
        }
    }

    private void seed(Instant at, String workspace, String useCase, String surface, List<String> classifications, String mode,
            boolean workspacePaused, boolean globalPaused, boolean rejected) throws SQLException {
        Seeded decision = new Seeded(UUID.randomUUID(), at, workspace, useCase, surface, classifications, mode, workspacePaused,
                globalPaused, rejected);
        trail.add(decision);
        String sql = "INSERT INTO audit_events (event_id, occurred_at, kind, workspace_id, principal, actor_id, actor_kind,"
                + " caller_surface, decision_id, use_case, provider_class, data_classifications, source_family, outcome, reason,"
                + " all_reasons, rejected_classifications, policy_mode, policy_version, control_state, control_version, message)"
                + " VALUES (?, ?, 'ai_decision', ?, 'seed', 'user-1', 'user', ?, ?, ?, 'local_private', ?, ?, ?, ?, ?, ?, ?, 1, ?, 1,"
                + " 'seeded')";
        try (Connection connection = dataSource().getConnection(); PreparedStatement insert = connection.prepareStatement(sql)) {
            String reason = decision.reason().map(r -> r.name().substring("BLOCK_REASON_".length()).toLowerCase()).orElse(null);
            insert.setObject(1, UUID.randomUUID());
            insert.setTimestamp(2, Timestamp.from(at));
            insert.setString(3, workspace);
            insert.setString(4, surface);
            insert.setObject(5, decision.decisionId());
            insert.setString(6, useCase);
            insert.setArray(7, connection.createArrayOf("text", classifications.toArray()));
            insert.setString(8, useCase.substring(0, useCase.indexOf('.')));
            insert.setString(9, decision.outcome() == Outcome.OUTCOME_ALLOW ? "allow" : "block");
            insert.setString(10, reason);
            insert.setArray(11, connection.createArrayOf("text", reason == null ? new Object[0] : new Object[]{reason}));
            insert.setArray(12, connection.createArrayOf("text", new Object[0]));
            insert.setString(13, mode);
            insert.setString(14, workspacePaused || globalPaused ? "paused" : "enabled");
            insert.executeUpdate();
        }
    }

    private void activation(String scope, String state, long version, Instant at) throws SQLException {
        try (Connection connection = dataSource().getConnection(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO control_activations (control_key, workspace_id, state, reason, version, changed_at, changed_by)"
                        + " VALUES ('ai.execution', ?, ?, ?, ?, ?, 'seed')")) {
            insert.setString(1, scope.isEmpty() ? "" : scope);
            insert.setString(2, state);
            insert.setString(3, state.equals("paused") ? "seeded" : null);
            insert.setLong(4, version);
            insert.setTimestamp(5, Timestamp.from(at));
            insert.executeUpdate();
        }
    }

    private Instant occurredAt(UUID decisionId) {
        try (Connection connection = dataSource().getConnection(); PreparedStatement select = connection.prepareStatement(
                "SELECT occurred_at FROM audit_events WHERE decision_id = ?")) {
            select.setObject(1, decisionId);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).as("decision %s recorded", decisionId).isTrue();
                return row.getTimestamp(1).toInstant();
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private DataSource dataSource() {
        return server.dataSource();
    }

    /** The flips the model expects: the affected decisions in the window, before and after the candidate. */
    private record Expected(long replayed, long allowToBlock, long blockToAllow, Map<String, List<UUID>> buckets) {
    }

    private Expected expect(Predicate<Seeded> affected, Instant since, UnaryOperator<Seeded> candidate) {
        List<Seeded> replayed = trail.stream().filter(affected).filter(d -> !d.at().isBefore(since))
                .sorted(Comparator.comparing(Seeded::at)).toList();
        long toBlock = 0;
        long toAllow = 0;
        Map<String, List<UUID>> buckets = new LinkedHashMap<>();
        for (Seeded before : replayed) {
            Seeded after = before.with(candidate);
            if (after.outcome() == before.outcome()) {
                continue;
            }
            if (after.outcome() == Outcome.OUTCOME_BLOCK) {
                toBlock++;
            } else {
                toAllow++;
            }
            buckets.computeIfAbsent(bucketKey(before.useCase(), before.surface(), after.outcome(),
                    after.reason().orElse(BlockReason.BLOCK_REASON_UNSPECIFIED)), key -> new ArrayList<>()).add(before.decisionId());
        }
        return new Expected(replayed.size(), toBlock, toAllow, buckets);
    }

    private static String bucketKey(String useCase, String surface, Outcome outcome, BlockReason reason) {
        return useCase + " " + surface + " " + outcome + " " + reason;
    }

    private static void assertPreview(ChangePreview preview, Expected expected) {
        assertThat(preview.getDecisionsReplayed()).as("decisions replayed").isEqualTo(expected.replayed());
        assertThat(preview.getAllowToBlock()).as("ALLOW to BLOCK").isEqualTo(expected.allowToBlock());
        assertThat(preview.getBlockToAllow()).as("BLOCK to ALLOW").isEqualTo(expected.blockToAllow());
        assertThat(preview.getCutShort()).isFalse();
        Map<String, Long> counts = preview.getBucketsList().stream().collect(Collectors.toMap(
                bucket -> bucketKey(bucket.getUseCase(), bucket.getCallerSurface(), bucket.getNewOutcome(), bucket.getNewReason()),
                PreviewBucket::getCount));
        assertThat(counts).as("buckets").isEqualTo(expected.buckets().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> (long) entry.getValue().size())));
        for (PreviewBucket bucket : preview.getBucketsList()) {
            List<UUID> all = expected.buckets().get(
                    bucketKey(bucket.getUseCase(), bucket.getCallerSurface(), bucket.getNewOutcome(), bucket.getNewReason()));
            assertThat(bucket.getSampleDecisionIdsList()).as("samples of %s", bucket)
                    .isEqualTo(all.stream().limit(20).map(UUID::toString).toList());
        }
        List<Long> sizes = preview.getBucketsList().stream().map(PreviewBucket::getCount).toList();
        assertThat(sizes).as("largest bucket first").isSortedAccordingTo(Comparator.reverseOrder());
    }

    private Instant dayAgo() {
        return Instant.now().minus(Duration.ofHours(24));
    }

    private ChangePreview previewPolicy(String workspace, PolicyMode mode) {
        return clients.policies(admin).previewWorkspacePolicyChange(PreviewWorkspacePolicyChangeRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(mode).build()).getPreview();
    }

    private ChangePreview previewControl(String scope, ControlState state) {
        return clients.controls(admin).previewExecutionControlChange(PreviewExecutionControlChangeRequest.newBuilder()
                .setControlKey(KEY).setWorkspaceId(scope).setState(state).build()).getPreview();
    }

    @ParameterizedTest
    @ValueSource(strings = {"policy A disabled", "policy A private_only", "policy C disabled", "pause A", "pause global",
            "resume A", "resume global"})
    void eachCandidateReportsTheFlipsAndSamplesTheModelComputes(String candidate) {
        ChangePreview preview;
        Expected expected;
        switch (candidate) {
            case "policy A disabled" -> {
                preview = previewPolicy(a, PolicyMode.POLICY_MODE_DISABLED);
                expected = expect(d -> d.workspace().equals(a), dayAgo(), d -> withMode(d, "disabled"));
                assertThat(expected.allowToBlock()).isEqualTo(30);
            }
            case "policy A private_only" -> {
                preview = previewPolicy(a, PolicyMode.POLICY_MODE_PRIVATE_ONLY);
                expected = expect(d -> d.workspace().equals(a), dayAgo(), d -> withMode(d, "private_only"));
                assertThat(expected.blockToAllow()).isEqualTo(2);
            }
            case "policy C disabled" -> {
                preview = previewPolicy(c, PolicyMode.POLICY_MODE_DISABLED);
                expected = expect(d -> d.workspace().equals(c), dayAgo(), d -> withMode(d, "disabled"));
                assertThat(expected.allowToBlock()).isEqualTo(3);
            }
            case "pause A" -> {
                preview = previewControl(a, ControlState.CONTROL_STATE_PAUSED);
                expected = expect(d -> d.workspace().equals(a), dayAgo(), d -> paused(d, true, d.globalPaused()));
            }
            case "pause global" -> {
                preview = previewControl("", ControlState.CONTROL_STATE_PAUSED);
                expected = expect(d -> true, dayAgo(), d -> paused(d, d.workspacePaused(), true));
                assertThat(expected.allowToBlock()).isEqualTo(36);
            }
            case "resume A" -> {
                preview = previewControl(a, ControlState.CONTROL_STATE_ENABLED);
                expected = expect(d -> d.workspace().equals(a), dayAgo(), d -> paused(d, false, d.globalPaused()));
                assertThat(expected.blockToAllow()).isEqualTo(1);
            }
            case "resume global" -> {
                preview = previewControl("", ControlState.CONTROL_STATE_ENABLED);
                expected = expect(d -> true, dayAgo(), d -> paused(d, d.workspacePaused(), false));
                assertThat(expected.blockToAllow()).isEqualTo(3);
            }
            default -> throw new IllegalArgumentException(candidate);
        }
        assertPreview(preview, expected);
    }

    private static Seeded withMode(Seeded d, String mode) {
        return new Seeded(d.decisionId(), d.at(), d.workspace(), d.useCase(), d.surface(), d.classifications(), mode,
                d.workspacePaused(), d.globalPaused(), d.classificationRejected());
    }

    private static Seeded paused(Seeded d, boolean workspace, boolean global) {
        return new Seeded(d.decisionId(), d.at(), d.workspace(), d.useCase(), d.surface(), d.classifications(), d.mode(), workspace,
                global, d.classificationRejected());
    }

    @Test
    void sinceWidensTheWindowPastTheDefaultDay() {
        Instant since = Instant.now().minus(Duration.ofHours(48));
        ChangePreview preview = clients.controls(admin).previewExecutionControlChange(PreviewExecutionControlChangeRequest
                .newBuilder().setControlKey(KEY).setWorkspaceId(a).setState(ControlState.CONTROL_STATE_PAUSED)
                .setSince(ProtoMapping.timestamp(since)).build()).getPreview();
        assertPreview(preview, expect(d -> d.workspace().equals(a), since, d -> paused(d, true, d.globalPaused())));
        assertThat(preview.getDecisionsReplayed()).isEqualTo(previewControl(a, ControlState.CONTROL_STATE_PAUSED)
                .getDecisionsReplayed() + 1);
        assertThat(ProtoMapping.instant(preview.getWindowStart(), "window_start")).isEqualTo(since.truncatedTo(ChronoUnit.MICROS)
                .plus(since.truncatedTo(ChronoUnit.MICROS).equals(since) ? Duration.ZERO : Duration.ofNanos(1_000)));
    }

    @Test
    void aWorkspaceLimitedTokenCannotPreviewAnotherWorkspace() {
        String limited = server.mintToken("viewer-a", Set.of("workspace.ai_policy.view"), List.of(a));
        PreviewWorkspacePolicyChangeRequest other = PreviewWorkspacePolicyChangeRequest.newBuilder().setWorkspaceId(b)
                .setPolicyMode(PolicyMode.POLICY_MODE_DISABLED).build();
        int before = AuditRows.countOf(dataSource(), "SELECT count(*) FROM audit_events WHERE kind = 'change_previewed'");

        assertWorkspaceNotPermitted(() -> clients.policies(limited).previewWorkspacePolicyChange(other));
        assertThat(AuditRows.countOf(dataSource(), "SELECT count(*) FROM audit_events WHERE kind = 'change_previewed'"))
                .as("a refused preview replays and records nothing").isEqualTo(before);
        assertThat(clients.policies(limited).previewWorkspacePolicyChange(other.toBuilder().setWorkspaceId(a).build())
                .getPreview().getAllowToBlock()).isEqualTo(30);

        String evaluator = server.mintToken("evaluator", Set.of("ai.decisions.evaluate"), List.of());
        assertMissingCapability(() -> clients.policies(evaluator).previewWorkspacePolicyChange(other), "workspace.ai_policy.view");
        assertMissingCapability(() -> clients.controls(limited).previewExecutionControlChange(PreviewExecutionControlChangeRequest
                .newBuilder().setControlKey(KEY).setState(ControlState.CONTROL_STATE_PAUSED).build()), "ops.controls.view");
    }

    @Test
    void aPreviewWritesExactlyOneAuditEventAndChangesNothing() {
        TestServer.NamedToken viewer = server.mintNamed("ops-view", Set.of("ops.controls.view"), List.of());
        String state = stateOfTheDatabase();
        int events = AuditRows.countOf(dataSource(), "SELECT count(*) FROM audit_events");

        ChangePreview preview = clients.controls(viewer.token()).previewExecutionControlChange(PreviewExecutionControlChangeRequest
                .newBuilder().setControlKey(KEY).setWorkspaceId(b).setState(ControlState.CONTROL_STATE_PAUSED).build()).getPreview();

        assertThat(stateOfTheDatabase()).as("policies, controls, their history and the state version").isEqualTo(state);
        assertThat(AuditRows.countOf(dataSource(), "SELECT count(*) FROM audit_events")).isEqualTo(events + 1);
        List<AuditEvent> recorded = clients.audit(admin).listAuditEvents(ListAuditEventsRequest.newBuilder().setWorkspaceId(b)
                .setKind(AuditEventKind.AUDIT_EVENT_KIND_CHANGE_PREVIEWED).build()).getEventsList().stream()
                .filter(event -> event.getPrincipal().equals(viewer.name())).toList();
        assertThat(recorded).hasSize(1);
        AuditEvent event = recorded.get(0);
        assertThat(event.getKind()).isEqualTo(AuditEventKind.AUDIT_EVENT_KIND_CHANGE_PREVIEWED);
        assertThat(event.getChangePreview().getMethod()).isEqualTo("aigov.v1.ExecutionControlService/PreviewExecutionControlChange");
        assertThat(event.getChangePreview().getControlKey()).isEqualTo(KEY);
        assertThat(event.getChangePreview().getCandidateState()).isEqualTo(ControlState.CONTROL_STATE_PAUSED);
        assertThat(event.getChangePreview().getCandidatePolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_UNSPECIFIED);
        assertThat(event.getChangePreview().getWindowStart()).isEqualTo(preview.getWindowStart());
        assertThat(event.getChangePreview().getWindowEnd()).isEqualTo(preview.getWindowEnd());
        assertThat(event.getChangePreview().getDecisionsReplayed()).isEqualTo(preview.getDecisionsReplayed()).isEqualTo(5);
        assertThat(event.getChangePreview().getAllowToBlock()).isEqualTo(preview.getAllowToBlock()).isEqualTo(3);
        assertThat(event.getChangePreview().getBlockToAllow()).isZero();
    }

    /** Everything a change could touch, as text. */
    private String stateOfTheDatabase() {
        StringBuilder state = new StringBuilder();
        for (String sql : List.of("SELECT workspace_id, policy_mode, version FROM workspace_policies ORDER BY 1",
                "SELECT control_key, workspace_id, state, version FROM execution_controls ORDER BY 1, 2",
                "SELECT activation_id, workspace_id, state, version FROM control_activations ORDER BY 1",
                "SELECT * FROM state_version", "SELECT count(*) FROM state_changes", "SELECT count(*) FROM idempotency_records")) {
            try (Connection connection = dataSource().getConnection(); PreparedStatement select = connection.prepareStatement(sql);
                 ResultSet rows = select.executeQuery()) {
                int columns = rows.getMetaData().getColumnCount();
                while (rows.next()) {
                    for (int i = 1; i <= columns; i++) {
                        state.append(rows.getString(i)).append('|');
                    }
                    state.append('\n');
                }
            } catch (SQLException e) {
                throw new AssertionError(sql, e);
            }
        }
        return state.toString();
    }

    @Test
    void badInputNamesTheField() {
        var policies = clients.policies(admin);
        var controls = clients.controls(admin);
        assertInvalidField(() -> policies.previewWorkspacePolicyChange(PreviewWorkspacePolicyChangeRequest.newBuilder()
                .setWorkspaceId(a).build()), "policy_mode");
        assertInvalidField(() -> policies.previewWorkspacePolicyChange(PreviewWorkspacePolicyChangeRequest.newBuilder()
                .setWorkspaceId("no spaces").setPolicyMode(PolicyMode.POLICY_MODE_DISABLED).build()), "workspace_id");
        assertInvalidField(() -> policies.previewWorkspacePolicyChange(PreviewWorkspacePolicyChangeRequest.newBuilder()
                .setWorkspaceId(a).setPolicyMode(PolicyMode.POLICY_MODE_DISABLED)
                .setSince(ProtoMapping.timestamp(Instant.now().plusSeconds(60))).build()), "since");
        assertInvalidField(() -> controls.previewExecutionControlChange(PreviewExecutionControlChangeRequest.newBuilder()
                .setControlKey(KEY).build()), "state");
        assertFails(() -> controls.previewExecutionControlChange(PreviewExecutionControlChangeRequest.newBuilder()
                .setControlKey("ai.other").setState(ControlState.CONTROL_STATE_PAUSED).build()), Status.Code.NOT_FOUND,
                "ERROR_REASON_UNKNOWN_CONTROL_KEY");
    }

    @Test
    void theBoundCutsAPreviewShortAndSaysWhere() {
        ChangePreviews bounded = new ChangePreviews(server.database().dsl(), () -> {
            throw new AssertionError("replay is given its catalog");
        }, Clock.systemUTC(), 10, dev.aigov.server.testing.TestEvidence.create());
        Preview preview = bounded.replay(new Candidate.Policy(a, dev.aigov.core.PolicyMode.DISABLED),
                dev.aigov.catalog.CatalogFile.builtIn().catalog(), bounded.window(Optional.empty()), Optional.empty());
        List<Seeded> first = trail.stream().filter(d -> d.workspace().equals(a) && !d.at().isBefore(dayAgo()))
                .sorted(Comparator.comparing(Seeded::at)).limit(10).toList();
        assertThat(preview.cutShort()).isTrue();
        assertThat(preview.replayed()).isEqualTo(10);
        assertThat(preview.allowToBlock()).isEqualTo(10);
        assertThat(preview.replayedThrough()).contains(first.get(9).at());
    }

    @TempDir
    Path scratch;

    @Test
    void aCatalogThatDropsAClassificationReportsTheRecordedAllowsItWouldBlock() throws IOException {
        String builtIn = new String(ChangePreviewEndToEndTest.class.getResourceAsStream("/catalog/default.json").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        String dropped = builtIn.replace("\"data_classifications\": [\"product_knowledge\", \"operational_metadata\"]",
                "\"data_classifications\": [\"product_knowledge\"]");
        assertThat(dropped).isNotEqualTo(builtIn);
        Path candidate = Files.writeString(scratch.resolve("catalog.json"), dropped);
        Expected expected = expect(d -> true, dayAgo(), d -> new Seeded(d.decisionId(), d.at(), d.workspace(), d.useCase(),
                d.surface(), d.classifications(), d.mode(), d.workspacePaused(), d.globalPaused(), d.classificationRejected()
                        || (d.useCase().equals(ANSWER) && d.classifications().contains("operational_metadata"))));
        assertThat(expected.allowToBlock()).isEqualTo(3);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute("preview", "--catalog", candidate.toString(), "--db-url",
                ((com.zaxxer.hikari.HikariDataSource) dataSource()).getJdbcUrl(), "--db-user",
                ((com.zaxxer.hikari.HikariDataSource) dataSource()).getUsername(), "--allow-undurable-database");

        assertThat(exit).as("stdout: %s stderr: %s", out, err).isEqualTo(3);
        List<UUID> blocked = expected.buckets().get(bucketKey(ANSWER, "kb-search", Outcome.OUTCOME_BLOCK,
                BlockReason.BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED));
        assertThat(out.toString()).contains("decisions replayed: " + expected.replayed() + "\n", "ALLOW -> BLOCK: 3\n",
                "BLOCK -> ALLOW: 0\n", "  3 " + ANSWER + " surface=kb-search now block (data_classification_not_permitted) e.g. "
                        + blocked.stream().map(UUID::toString).collect(Collectors.joining(" ")) + "\n");

        Path same = Files.writeString(scratch.resolve("same.json"), builtIn);
        assertThat(commandLine.execute("preview", "--catalog", same.toString(), "--since", "48h", "--db-url",
                ((com.zaxxer.hikari.HikariDataSource) dataSource()).getJdbcUrl(), "--db-user",
                ((com.zaxxer.hikari.HikariDataSource) dataSource()).getUsername(), "--allow-undurable-database"))
                .as("the catalog in force flips nothing; stdout: %s stderr: %s", out, err).isZero();

        Path invalid = Files.writeString(scratch.resolve("invalid.json"), "{\"format\": 1}");
        assertThat(commandLine.execute("preview", "--catalog", invalid.toString())).as("an invalid catalog").isEqualTo(1);
        assertThat(err.toString()).contains("invalid.json");
        assertThat(commandLine.execute("preview", "--catalog", same.toString(), "--since", "yesterday")).as("a bad --since")
                .isEqualTo(2);
        assertThat(err.toString()).contains("--since must be an ISO-8601 instant");
    }
}
