package dev.aigov.server.grpc;

import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every decision end-to-end test again, on the naive hot path (AIGOV_HOT_PATH=naive: state read
 * and one transaction per call), which stays runnable as the benchmark's baseline.
 */
class NaiveDecisionEndToEndTest extends DecisionEndToEndTest {
    @BeforeAll
    static void replaceTheServerWithANaiveOne() {
        // Runs after EndToEndTest's start: the class's tests use this server instead.
        clients.close();
        server.close();
        server = TestServer.startWith(HotPathConfig.DEFAULT.withMode(HotPathConfig.Mode.NAIVE), TestDatabase.shared());
        clients = new Clients(server);
        admin = server.adminToken();
    }
}
