package dev.aigov.server.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shape of an end-to-end test class: one real server on the shared database for the class,
 * a real channel to it, and an admin token. Test classes run one at a time, so the fields are
 * the current class's.
 */
public abstract class EndToEndTest {
    protected static TestServer server;
    protected static Clients clients;
    protected static String admin;

    @BeforeAll
    static void startServer() {
        server = TestServer.start();
        clients = new Clients(server);
        admin = server.adminToken();
    }

    @AfterAll
    static void stopServer() {
        clients.close();
        server.close();
    }
}
