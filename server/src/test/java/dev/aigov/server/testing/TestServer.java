package dev.aigov.server.testing;

import dev.aigov.server.AigovServer;
import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.config.OverloadConfig;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.config.TelemetryConfig;
import dev.aigov.server.evaluation.commit.GroupCommitRecorder;
import dev.aigov.server.evaluation.state.DecisionState;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.PrincipalRepository;
import dev.aigov.server.identity.TokenAdministration;
import dev.aigov.server.storage.Database;
import dev.aigov.server.telemetry.Telemetry;
import io.grpc.ServerInterceptor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * The real server over the run's shared embedded PostgreSQL (or one given): on a random loopback
 * port over Netty, or in process where no socket is the point.
 */
public final class TestServer implements AutoCloseable {
    private final AigovServer server;
    private final Database database;
    private final TokenAdministration tokens;
    /** The in-process server's name, when it listens on no socket. */
    private final Optional<String> inProcessName;
    private String adminToken;
    private boolean stopped;

    private TestServer(AigovServer server, Database database, Optional<String> inProcessName) {
        this.server = server;
        this.database = database;
        this.inProcessName = inProcessName;
        this.tokens = new TokenAdministration(new PrincipalRepository(database.dsl()), Clock.systemUTC());
    }

    /** Tests of what an unauthenticated call gets make many from one address; FailedAuthenticationFloodTest tests the limit. */
    private static final ServerConfig.AuthLimits PLENTY = new ServerConfig.AuthLimits(1_000_000, 1_000_000);

    /** What every test server starts from: loopback, any free port, no TLS, no telemetry, plenty of failed authentications. */
    private static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 0, 0, Optional.empty(), Duration.ofSeconds(5),
                new DatabaseConfig(Optional.empty(), Path.of("unused"), 1, Duration.ofSeconds(2)), HotPathConfig.DEFAULT, PLENTY,
                TelemetryConfig.OFF, OverloadConfig.DEFAULT);
    }

    /**
     * Starts a server on {@code database} over {@code transport}, its configuration adjusted, reporting
     * through the telemetry {@code telemetry} makes of that configuration. In process there is no
     * socket: no TLS, no transport limits, and every caller's peer is the same in-process address.
     *
     * @param outermost run before authentication, outermost first (to inject faults)
     */
    public static TestServer start(WithAigovServer.Transport transport, Database database, UnaryOperator<ServerConfig> adjust,
            Function<ServerConfig, Telemetry> telemetry, List<ServerInterceptor> outermost) {
        ServerConfig config = adjust.apply(defaults());
        if (transport == WithAigovServer.Transport.IN_PROCESS) {
            String name = "aigov-" + UUID.randomUUID();
            return new TestServer(AigovServer.start(InProcess.server(name), config, database, Clock.systemUTC(), outermost,
                    telemetry.apply(config)), database, Optional.of(name));
        }
        return new TestServer(AigovServer.start(config, database, Clock.systemUTC(), outermost, telemetry.apply(config)),
                database, Optional.empty());
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
        return startNetty(database, config -> config, extraInterceptors);
    }

    /** The in-process server's name, empty when it listens on a port. */
    public Optional<String> inProcessName() {
        return inProcessName;
    }

    /** Starts a server speaking TLS (mutual TLS when {@code tls} has a client CA) on the shared database. */
    public static TestServer startTls(ServerConfig.Tls tls, ServerInterceptor... extraInterceptors) {
        return startNetty(TestDatabase.shared(),
                config -> new ServerConfig(config.bindAddress(), config.grpcPort(), config.httpPort(), Optional.of(tls),
                        config.shutdownGrace(), config.database(), config.hotPath(), config.authLimits(), config.telemetry(),
                        config.overload()),
                extraInterceptors);
    }

    /** Starts a server with these hot-path limits on the given database. */
    public static TestServer startWith(HotPathConfig hotPath, Database database, ServerInterceptor... extraInterceptors) {
        return startNetty(database, config -> config.withHotPath(hotPath), extraInterceptors);
    }

    /** Starts a server on the shared database with these failed-authentication limits (the others allow plenty). */
    public static TestServer startWithLimits(ServerConfig.AuthLimits limits) {
        return startNetty(TestDatabase.shared(),
                config -> new ServerConfig(config.bindAddress(), config.grpcPort(), config.httpPort(), config.tls(),
                        config.shutdownGrace(), config.database(), config.hotPath(), limits, config.telemetry(), config.overload()));
    }

    /**
     * Starts a server on {@code database} with its configuration adjusted (telemetry, the concurrency
     * limit), reporting through the telemetry {@code telemetry} makes of that configuration.
     */
    public static TestServer startAdjusted(Database database, UnaryOperator<ServerConfig> adjust,
            Function<ServerConfig, Telemetry> telemetry) {
        return start(WithAigovServer.Transport.NETTY, database, adjust, telemetry, List.of());
    }

    /** Starts a server on {@code database} with its configuration adjusted, and the telemetry that configuration asks for. */
    public static TestServer startAdjusted(Database database, UnaryOperator<ServerConfig> adjust) {
        return startNetty(database, adjust);
    }

    private static TestServer startNetty(Database database, UnaryOperator<ServerConfig> adjust, ServerInterceptor... outermost) {
        return start(WithAigovServer.Transport.NETTY, database, adjust, config -> Telemetry.start(config.telemetry()),
                List.of(outermost));
    }

    /** Reads the catalog file again, as SIGHUP does. */
    public dev.aigov.server.evaluation.CurrentCatalog.Reload reloadCatalog() {
        return server.reloadCatalog();
    }

    /** The Connect (HTTP/JSON) port, for a server started with one ({@code @WithAigovServer(http = true)}). */
    public int httpPort() {
        return server.httpPort().orElseThrow(() -> new IllegalStateException("this server serves no HTTP port"));
    }

    /** The port metrics are served on. */
    public int metricsPort() {
        return server.metricsPort().orElseThrow(() -> new IllegalStateException("this server serves no metrics"));
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
