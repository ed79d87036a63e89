package dev.aigov.server.grpc;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.aigov.api.v1.AuditEvent;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetExecutionControlResponse;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The aigov-client-version header: recorded, bounded, with each decision's audit event; a hostile
 * value is recorded as "invalid" and never fails the decision. And a resume needs no reason.
 */
@WithAigovServer
class ClientVersionEndToEndTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    ClientVersionEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    static Stream<Arguments> announcedVersions() {
        return Stream.of(
                arguments("a release", List.of("0.2.0"), "0.2.0"),
                arguments("a snapshot with build metadata", List.of("0.2.0-SNAPSHOT+abc.1"), "0.2.0-SNAPSHOT+abc.1"),
                arguments("none", List.of(), null),
                arguments("blank", List.of("   "), null),
                arguments("over 64 characters", List.of("1".repeat(65)), "invalid"),
                arguments("8 KiB", List.of("9".repeat(8192)), "invalid"),
                arguments("not a version", List.of("1.0'); DROP TABLE audit_events; --"), "invalid"),
                arguments("COPY's null marker", List.of("1.0\\N"), "invalid"),
                arguments("two headers", List.of("0.2.0", "0.3.0"), "invalid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("announcedVersions")
    void theAnnouncedVersionIsRecordedWithTheDecisionBoundedAndNeverFailsIt(
            String what, List<String> announced, String recorded) throws SQLException {
        Metadata headers = new Metadata();
        announced.forEach(value -> headers.put(ClientVersions.HEADER, value));
        UUID requestId = UUID.randomUUID();
        String workspace = freshWorkspace();

        var decision = clients.decisions(admin)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .evaluateAiRequest(Requests.answerDraft(workspace).setRequestId(requestId.toString()).build())
                .getDecision();

        assertThat(decision.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(recordedClientVersions(requestId)).containsExactly(recorded);
        List<AuditEvent> listed = clients.audit(admin)
                .listAuditEvents(ListAuditEventsRequest.newBuilder().setWorkspaceId(workspace).build()).getEventsList();
        assertThat(listed).singleElement()
                .satisfies(event -> assertThat(event.getDecision().getClientVersion()).isEqualTo(recorded == null ? "" : recorded));
    }

    @Test
    void aResumeNeedsNoReasonAndClearsThePausesReason() {
        String workspace = freshWorkspace();
        clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                .setWorkspaceId(workspace).setState(ControlState.CONTROL_STATE_PAUSED).setReason("incident 9").build());

        SetExecutionControlResponse resumed = clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder()
                .setControlKey("ai.execution").setWorkspaceId(workspace).setState(ControlState.CONTROL_STATE_ENABLED).build());

        assertThat(resumed.getChanged()).isTrue();
        assertThat(resumed.getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        assertThat(resumed.getControl().getReason()).isEmpty();
    }

    private List<String> recordedClientVersions(UUID requestId) throws SQLException {
        try (Connection connection = server.dataSource().getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT client_version FROM audit_events WHERE kind = 'ai_decision' AND request_id = ?")) {
            query.setObject(1, requestId);
            List<String> versions = new java.util.ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    versions.add(rows.getString(1));
                }
            }
            return versions;
        }
    }
}
