package dev.aigov.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.ServerProcess;
import dev.aigov.server.testing.TestServer;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded PostgreSQL that dies and cannot be started again (here: its postgresql.conf broken)
 * turns liveness ("") NOT_SERVING, so that a supervisor restarts the process; once it can be
 * started again, the server serves again. Restarts are paced faster than in production.
 */
// Its bound is 60 s; the default 90 s would leave too little on a loaded machine.
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedGiveUpTest {
    private static final EmbeddedTimings FAST = new EmbeddedTimings(Duration.ofSeconds(3),
            List.of(Duration.ZERO, Duration.ofMillis(200)), Duration.ofSeconds(1));
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void livenessGoesNotServingWhileThePostgresCannotBeStartedAndServingOnceItCan(@TempDir Path home) throws Exception {
        try (Database database = Database.open(new DatabaseConfig(Optional.empty(), home, 2, Duration.ofSeconds(2)),
                Database.EmbeddedUse.OWN, FAST);
             TestServer server = TestServer.startOn(database);
             Clients clients = new Clients(server)) {
            String token = server.adminToken();
            Path config = home.resolve("pgdata/postgresql.conf");
            String intact = Files.readString(config);
            Files.writeString(config, intact + "\nthis line is no setting\n");
            long postmaster = Long.parseLong(Files.readAllLines(home.resolve("pgdata/postmaster.pid")).getFirst().trim());

            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();

            assertThat(statusWithin(clients, "", ServingStatus.NOT_SERVING)).as("liveness once it cannot be restarted")
                    .isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(database.alive()).isFalse();

            Files.writeString(config, intact);

            assertThat(statusWithin(clients, "", ServingStatus.SERVING)).as("liveness once it could be").isEqualTo(ServingStatus.SERVING);
            assertThat(statusWithin(clients, "aigov.v1.DecisionService", ServingStatus.SERVING)).isEqualTo(ServingStatus.SERVING);
            assertThat(clients.decisions(token).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listUseCases(ListUseCasesRequest.getDefaultInstance()).getUseCasesCount()).isPositive();
        }
    }

    private static ServingStatus statusWithin(Clients clients, String service, ServingStatus wanted) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        ServingStatus status = null;
        while (System.nanoTime() < deadline) {
            try {
                status = HealthGrpc.newBlockingStub(clients.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
            } catch (StatusRuntimeException e) {
                status = null;
            }
            if (status == wanted) {
                return status;
            }
            ServerProcess.pause(Duration.ofMillis(100));
        }
        return status;
    }
}
