package dev.aigov.server.testing;

import dev.aigov.server.AigovServer;
import dev.aigov.server.evaluation.commit.GroupCommitRecorder;
import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.config.OverloadConfig;
import dev.aigov.server.config.TelemetryConfig;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.PrincipalRepository;
import dev.aigov.server.identity.TokenAdministration;
import dev.aigov.server.evaluation.state.DecisionState;
import dev.aigov.server.storage.Database;
import io.grpc.ServerInterceptor;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The real server over the run's shared embedded PostgreSQL (or one given): on a random loopback
 * port over Netty, or in process where no socket is the point ({@link #startInProcess}).
 */
public final class TestServer implements AutoCloseable {
    private final AigovServer server;
    private final Database database;
    private final TokenAdministration tokens;
    /** The in-process server's name, when it listens on no socket. */
    private final Optional<String> inProcessName;
    private String adminToken;
    private boolean stopped;

    private TestServer(AigovServer server, Database database) {
        this(server, database, Optional.empty());
    }

    private TestServer(AigovServer server, Database database, Optional<String> inProcessName) {
        this.server = server;
        this.database = database;
        this.inProcessName = inProcessName;
        this.tokens = new TokenAdministration(new PrincipalRepository(database.dsl()), Clock.systemUTC());
    }

    /**
     * Starts a server on the shared database.
     *
     * @param extraInterceptors run before authentication, outermost first (to inject faults)
     */
    public static TestServer start(ServerInterceptor... extraInterceptors) {
        return startOn(TestDatabase.shared(), extraInterceptors);
    }

    /** Starts a server on the given database. */
    public static TestServer startOn(Database database, ServerInterceptor... extraInterceptors) {
        return startWith(Optional.empty(), database, extraInterceptors);
    }

    /**
     * Starts the same server (executors, interceptors, services) in process on {@code database}: no
     * socket, so no TLS, no transport limits and no peer address; {@link Clients} reach it by name.
     */
    public static TestServer startInProcess(Database database) {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Optional.empty(), Duration.ofSeconds(5),
                new DatabaseConfig(Optional.empty(), Path.of("unused"), 1, Duration.ofSeconds(2)), HotPathConfig.DEFAULT, PLENTY,
                TelemetryConfig.OFF, OverloadConfig.DEFAULT);
        String name = "aigov-" + UUID.randomUUID();
        AigovServer server = AigovServer.start(InProcess.server(name), config, database, Clock.systemUTC(), List.of(),
                dev.aigov.server.telemetry.Telemetry.start(config.telemetry()));
        return new TestServer(server, database, Optional.of(name));
    }

    /** The in-process server's name, empty when it listens on a port. */
    public Optional<String> inProcessName() {
        return inProcessName;
    }

    /** Starts a server speaking TLS (mutual TLS when {@code tls} has a client CA) on the shared database. */
    public static TestServer startTls(ServerConfig.Tls tls, ServerInterceptor... extraInterceptors) {
        return startWith(Optional.of(tls), TestDatabase.shared(), extraInterceptors);
    }

    /** Starts a server with these hot-path limits on the given database. */
    public static TestServer startWith(HotPathConfig hotPath, Database database, ServerInterceptor... extraInterceptors) {
        return startWith(Optional.empty(), hotPath, database, PLENTY, extraInterceptors);
    }

    /** Starts a server on the shared database with these failed-authentication limits (the others allow plenty). */
    public static TestServer startWithLimits(ServerConfig.AuthLimits limits) {
        return startWith(Optional.empty(), HotPathConfig.DEFAULT, TestDatabase.shared(), limits);
    }

    private static TestServer startWith(Optional<ServerConfig.Tls> tls, Database database, ServerInterceptor... extraInterceptors) {
        return startWith(tls, HotPathConfig.DEFAULT, database, PLENTY, extraInterceptors);
    }

    /**
     * Starts a server on {@code database} with its configuration adjusted (telemetry, the concurrency
     * limit), reporting through the telemetry {@code telemetry} makes of that configuration.
     */
    public static TestServer startAdjusted(Database database, java.util.function.UnaryOperator<ServerConfig> adjust,
                                           java.util.function.Function<ServerConfig, dev.aigov.server.telemetry.Telemetry> telemetry) {
        ServerConfig config = adjust.apply(new ServerConfig("127.0.0.1", 0, Optional.empty(), Duration.ofSeconds(5),
                new DatabaseConfig(Optional.empty(), Path.of("unused"), 1, Duration.ofSeconds(2)), HotPathConfig.DEFAULT, PLENTY,
                TelemetryConfig.OFF, OverloadConfig.DEFAULT));
        return new TestServer(AigovServer.start(config, database, Clock.systemUTC(), List.of(), telemetry.apply(config)), database);
    }

    /** Starts a server on {@code database} with its configuration adjusted, and the telemetry that configuration asks for. */
    public static TestServer startAdjusted(Database database, java.util.function.UnaryOperator<ServerConfig> adjust) {
        return startAdjusted(database, adjust, config -> dev.aigov.server.telemetry.Telemetry.start(config.telemetry()));
    }

    /** The port metrics are served on. */
    public int metricsPort() {
        return server.metricsPort().orElseThrow(() -> new IllegalStateException("this server serves no metrics"));
    }

    /** Tests of what an unauthenticated call gets make many from one address; FailedAuthenticationFloodTest tests the limit. */
    private static final ServerConfig.AuthLimits PLENTY = new ServerConfig.AuthLimits(1_000_000, 1_000_000);

    private static TestServer startWith(Optional<ServerConfig.Tls> tls, HotPathConfig hotPath, Database database,
                                        ServerConfig.AuthLimits limits, ServerInterceptor... extraInterceptors) {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, tls, Duration.ofSeconds(5),
                new DatabaseConfig(Optional.empty(), Path.of("unused"), 1, Duration.ofSeconds(2)), hotPath, limits,
                TelemetryConfig.OFF, OverloadConfig.DEFAULT);
        AigovServer server = AigovServer.start(config, database, Clock.systemUTC(), Arrays.asList(extraInterceptors));
        return new TestServer(server, database);
    }

    /** The in-memory decision state. */
    public DecisionState decisionState() {
        return server.decisionState();
    }

    /** The group-commit audit writer. */
    public GroupCommitRecorder auditWriter() {
        return server.auditWriter();
    }

    public int port() {
        if (inProcessName.isPresent()) {
            throw new IllegalStateException("an in-process server has no port: start it over Netty for a test of the socket");
        }
        return server.port();
    }

    /** {@code 127.0.0.1:<port>}, a gRPC target. */
    public String target() {
        return "127.0.0.1:" + port();
    }

    /**
     * Mints a token under a unique name derived from {@code name}.
     *
     * @param workspaces empty for every workspace
     */
    public String mintToken(String name, Set<String> capabilities, List<String> workspaces) {
        return mintNamed(name, capabilities, workspaces).token();
    }

    /** A token and the unique name it was minted under (what the server records as the principal). */
    public record NamedToken(String name, String token) {
    }

    /** Like {@link #mintToken}, keeping the unique name, for tests that look for it in the audit trail. */
    public NamedToken mintNamed(String prefix, Set<String> capabilities, List<String> workspaces) {
        String unique = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new NamedToken(unique, tokens.create(unique, capabilities, workspaces).token());
    }

    /** A token with every capability for every workspace. */
    public synchronized String adminToken() {
        if (adminToken == null) {
            adminToken = mintToken("admin", Arrays.stream(Capability.values()).map(Capability::key)
                    .collect(java.util.stream.Collectors.toSet()), List.of());
        }
        return adminToken;
    }

    public TokenAdministration tokens() {
        return tokens;
    }

    public Database database() {
        return database;
    }

    public DataSource dataSource() {
        return database.dataSource();
    }

    /** Stops serving (in-flight calls get up to ten seconds to finish). The database stays up. */
    public synchronized void stop() {
        if (!stopped) {
            stopped = true;
            server.shutdown(Duration.ofSeconds(10));
        }
    }

    @Override
    public void close() {
        stop();
    }
}
