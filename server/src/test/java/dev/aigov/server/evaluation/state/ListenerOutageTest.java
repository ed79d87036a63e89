package dev.aigov.server.evaluation.state;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static dev.aigov.server.testing.Eventually.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The listener loses its connection and cannot get another while the rest of the server still
 * reaches the database: the replica cannot confirm its state is current, so within the staleness
 * bound every evaluation is UNAVAILABLE (STATE_STALE); once it reconnects it reloads and serves,
 * with what changed meanwhile. Runs on a private database.
 */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY, privateDatabase = true)
class ListenerOutageTest {
    /** AIGOV_MAX_STALENESS's default, plus slack for a loaded test machine. */
    private static final Duration BOUND = Duration.ofSeconds(1).plusSeconds(4);
    /** The health check's interval (5 s), twice, for a loaded test machine. */
    private static final Duration READINESS_BOUND = Duration.ofSeconds(10);

    private final TestDatabase database;
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    ListenerOutageTest(AigovServerExtension.Aigov aigov) {
        this.database = aigov.privateDatabase().orElseThrow();
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    @Test
    void aLostListenerFailsClosedWithinTheBoundAndRecoversWithWhatChangedMeanwhile() throws SQLException {
        String workspace = freshWorkspace();
        setPolicy(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        assertThat(evaluate(workspace)).isEqualTo(Outcome.OUTCOME_ALLOW);

        // New connections are refused; the pool keeps the ones it has. Then the listener's goes.
        asAdministrator("ALTER DATABASE postgres ALLOW_CONNECTIONS false");
        try {
            sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'aigov-listener'");
            within(BOUND, () -> {
                try {
                    Outcome outcome = evaluate(workspace);
                    assertThat(outcome).as("decided while the listener is gone, inside the bound").isEqualTo(Outcome.OUTCOME_ALLOW);
                    return false;
                } catch (StatusRuntimeException error) {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    return Clients.errorInfo(error).getReason().equals("ERROR_REASON_STATE_STALE");
                }
            });
            // A replica that answers STATE_STALE leaves the rotation (readiness), within one health interval.
            within(READINESS_BOUND, () -> readiness() == HealthCheckResponse.ServingStatus.NOT_SERVING);
            // A change made while this replica cannot hear about it.
            setPolicy(workspace, PolicyMode.POLICY_MODE_DISABLED);
        } finally {
            asAdministrator("ALTER DATABASE postgres ALLOW_CONNECTIONS true");
        }

        within(BOUND, () -> {
            try {
                return evaluate(workspace) == Outcome.OUTCOME_BLOCK;
            } catch (StatusRuntimeException error) {
                assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_STATE_STALE");
                return false;
            }
        });
        assertThat(server.decisionState().snapshotFor(workspace).policy().mode())
                .isEqualTo(dev.aigov.core.PolicyMode.DISABLED);
        within(READINESS_BOUND, () -> readiness() == HealthCheckResponse.ServingStatus.SERVING);
    }

    private HealthCheckResponse.ServingStatus readiness() {
        return HealthGrpc.newBlockingStub(clients.channel())
                .check(HealthCheckRequest.newBuilder().setService("aigov.v1.DecisionService").build()).getStatus();
    }

    @Test
    void aTruncateByHandReachesEveryReplicaAsAReload() throws SQLException {
        String workspace = freshWorkspace();
        setPolicy(workspace, PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        within(BOUND, () -> server.decisionState().snapshotFor(workspace).policy().version() == 1);

        // No row trigger fires on TRUNCATE; a statement trigger counts a version and says "reload".
        sql("TRUNCATE workspace_policies, workspace_policy_versions");

        within(BOUND, () -> server.decisionState().snapshotFor(workspace).policy().version() == 0);
        assertThat(evaluate(workspace)).isEqualTo(Outcome.OUTCOME_BLOCK);
    }

    private Outcome evaluate(String workspace) {
        return clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace)
                .setRequestId(UUID.randomUUID().toString()).build()).getDecision().getOutcome();
    }

    private void setPolicy(String workspace, PolicyMode mode) {
        clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(mode).build());
    }

    private void sql(String statement) throws SQLException {
        try (Connection connection = server.dataSource().getConnection(); Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    private void asAdministrator(String statement) throws SQLException {
        try (Connection connection = database.superuserConnection("template1"); Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

}
