package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.testing.TestDatabase;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The aigov services' health follows the database; the server as a whole ("") does not, unless
 * the process cannot recover by itself.
 */
class DatabaseHealthTest {
    private static final List<String> SERVICES = List.of("aigov.v1.DecisionService", "aigov.v1.AuditService");
    /** A check waits up to the pool's 2 s for a connection; the rest is slack for a loaded machine. */
    private static final Duration BOUND = Duration.ofSeconds(15);

    private HealthStatusManager health;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void serveHealthOnLoopback() throws IOException {
        health = new HealthStatusManager();
        health.setStatus("", ServingStatus.SERVING);
        // A real channel on loopback, as every gRPC test here.
        server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
                .addService(health.getHealthService()).build().start();
        channel = NettyChannelBuilder.forTarget("127.0.0.1:" + server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stopServing() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    @Test
    void servicesGoNotServingWhenTheDatabaseStopsAndTheServerStaysServing() throws InterruptedException {
        try (TestDatabase database = TestDatabase.startPrivate();
             DatabaseHealth databaseHealth = new DatabaseHealth(database.database()::checkReachable, health, SERVICES,
                     Duration.ofMillis(100)).start()) {
            assertThat(statusWithin(BOUND, "aigov.v1.DecisionService", ServingStatus.SERVING))
                    .as("while the database answers").isEqualTo(ServingStatus.SERVING);

            database.stopPostgres();

            for (String service : SERVICES) {
                assertThat(statusWithin(BOUND, service, ServingStatus.NOT_SERVING))
                        .as("%s once the database stopped", service).isEqualTo(ServingStatus.NOT_SERVING);
            }
            assertThat(status("")).as("the server as a whole").isEqualTo(ServingStatus.SERVING);
        }
    }

    @Test
    void servicesServeAgainWhenTheDatabaseAnswersAgain() {
        AtomicBoolean databaseUp = new AtomicBoolean(true);
        DatabaseHealth.Check check = () -> {
            if (!databaseUp.get()) {
                throw new java.sql.SQLTransientConnectionException("aigov - Connection is not available");
            }
        };
        // Never started: each check is run here, so the sequence needs no waiting.
        DatabaseHealth databaseHealth = new DatabaseHealth(check, health, SERVICES, Duration.ofHours(1));
        SERVICES.forEach(service -> health.setStatus(service, ServingStatus.SERVING));

        databaseUp.set(false);
        databaseHealth.checkOnce();
        assertThat(SERVICES).as("during the outage")
                .allSatisfy(service -> assertThat(status(service)).isEqualTo(ServingStatus.NOT_SERVING));
        databaseHealth.checkOnce();
        assertThat(status("aigov.v1.DecisionService")).as("a second failed check").isEqualTo(ServingStatus.NOT_SERVING);

        databaseUp.set(true);
        databaseHealth.checkOnce();
        assertThat(SERVICES).as("once the database answers")
                .allSatisfy(service -> assertThat(status(service)).isEqualTo(ServingStatus.SERVING));
        assertThat(status("")).as("the server as a whole, throughout").isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void livenessGoesNotServingWhileTheProcessCannotRecoverByItself() {
        AtomicBoolean processAlive = new AtomicBoolean(true);
        DatabaseHealth databaseHealth = new DatabaseHealth(() -> {}, processAlive::get, health, SERVICES, Duration.ofHours(1));

        databaseHealth.checkOnce();
        assertThat(status("")).as("while the embedded database can be restarted").isEqualTo(ServingStatus.SERVING);

        processAlive.set(false);
        databaseHealth.checkOnce();
        assertThat(status("")).as("once it cannot").isEqualTo(ServingStatus.NOT_SERVING);

        processAlive.set(true);
        databaseHealth.checkOnce();
        assertThat(status("")).as("once a later restart succeeded").isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void noCheckChangesAStatusAfterClose() {
        // A check interrupted by close() fails; that says nothing about the database.
        DatabaseHealth databaseHealth = new DatabaseHealth(() -> {
            throw new java.sql.SQLException("aigov - Interrupted during connection acquisition");
        }, health, SERVICES, Duration.ofHours(1));
        health.setStatus("aigov.v1.DecisionService", ServingStatus.SERVING);
        databaseHealth.close();

        databaseHealth.checkOnce();

        assertThat(status("aigov.v1.DecisionService")).isEqualTo(ServingStatus.SERVING);
    }

    /** Asks until {@code service} reports {@code wanted} or {@code bound} passes; returns the last answer. */
    private ServingStatus statusWithin(Duration bound, String service, ServingStatus wanted) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        ServingStatus status = status(service);
        while (status != wanted && System.nanoTime() < deadline) {
            Thread.sleep(20); // pacing only: the deadline decides when to stop asking
            status = status(service);
        }
        return status;
    }

    private ServingStatus status(String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }
}
