package dev.aigov.server.cli;

import dev.aigov.server.AigovServer;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Serves the gRPC API until SIGTERM. The default command. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the aigov gRPC API (the default command). Every option defaults to its AIGOV_* environment variable.")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--port", defaultValue = "${env:AIGOV_GRPC_PORT:-50051}",
            description = "gRPC port (env AIGOV_GRPC_PORT, default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", defaultValue = "${env:AIGOV_GRPC_BIND:-0.0.0.0}",
            description = "Address to listen on (env AIGOV_GRPC_BIND, default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--tls-cert-file", defaultValue = "${env:AIGOV_TLS_CERT_FILE}",
            description = "PEM certificate chain; with --tls-key-file, serve TLS (env AIGOV_TLS_CERT_FILE).")
    Path tlsCert;

    @Option(names = "--tls-key-file", defaultValue = "${env:AIGOV_TLS_KEY_FILE}",
            description = "PEM private key (env AIGOV_TLS_KEY_FILE).")
    Path tlsKey;

    @Option(names = "--tls-client-ca-file", defaultValue = "${env:AIGOV_TLS_CLIENT_CA_FILE}",
            description = "PEM CA; when set, clients must present a certificate it signed (env AIGOV_TLS_CLIENT_CA_FILE).")
    Path tlsClientCa;

    @Option(names = "--shutdown-grace-seconds", defaultValue = "${env:AIGOV_SHUTDOWN_GRACE_SECONDS:-30}",
            description = "How long in-flight calls may finish after SIGTERM (env AIGOV_SHUTDOWN_GRACE_SECONDS, default ${DEFAULT-VALUE}).")
    long shutdownGraceSeconds;

    @Option(names = "--auth-failure-burst", defaultValue = "${env:AIGOV_AUTH_FAILURE_BURST:-30}",
            description = "Failed authentications one peer may make at once before it is refused (RESOURCE_EXHAUSTED) without "
                    + "a lookup (env AIGOV_AUTH_FAILURE_BURST, default ${DEFAULT-VALUE}).")
    int authFailureBurst;

    @Option(names = "--auth-failures-per-second", defaultValue = "${env:AIGOV_AUTH_FAILURES_PER_SECOND:-5}",
            description = "How fast a peer's budget of failed authentications refills (env AIGOV_AUTH_FAILURES_PER_SECOND, "
                    + "default ${DEFAULT-VALUE}).")
    double authFailuresPerSecond;

    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config = toConfig();
        Database db = Database.open(config.database(), Database.EmbeddedUse.OWN);
        AigovServer server;
        try {
            server = AigovServer.start(config, db, Clock.systemUTC(), List.of());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        LOG.info("aigov listening on {}:{} ({}), database: {}", config.bindAddress(), server.port(),
                config.tls().map(ServerConfig.Tls::describe).orElse("plaintext"), db.description());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down: finishing in-flight calls (up to {} s)", config.shutdownGrace().toSeconds());
            server.shutdown(config.shutdownGrace());
            db.close();
            LOG.info("aigov stopped");
        }, "aigov-shutdown"));
        server.awaitTermination();
        return 0;
    }

    /** Every environment variable the server reads: what deployment files and docs may name. */
    public static java.util.SortedSet<String> environmentVariables() {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        java.util.regex.Pattern variable = java.util.regex.Pattern.compile("\\$\\{env:(AIGOV_[A-Z0-9_]+)");
        for (Class<?> type : List.of(ServeCommand.class, DatabaseOptions.class)) {
            for (java.lang.reflect.Field field : type.getDeclaredFields()) {
                Option option = field.getAnnotation(Option.class);
                if (option != null) {
                    java.util.regex.Matcher matcher = variable.matcher(option.defaultValue());
                    if (matcher.find()) {
                        names.add(matcher.group(1));
                    }
                }
            }
        }
        names.add(DatabaseOptions.PASSWORD_VARIABLE);
        names.add(DatabaseOptions.MIGRATION_PASSWORD_VARIABLE);
        return names;
    }

    ServerConfig toConfig() {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("TLS needs both AIGOV_TLS_CERT_FILE and AIGOV_TLS_KEY_FILE");
        }
        if (tlsClientCa != null && tlsCert == null) {
            throw new IllegalArgumentException("AIGOV_TLS_CLIENT_CA_FILE needs AIGOV_TLS_CERT_FILE and AIGOV_TLS_KEY_FILE too");
        }
        Optional<ServerConfig.Tls> tls = tlsCert == null ? Optional.empty()
                : Optional.of(new ServerConfig.Tls(tlsCert, tlsKey, Optional.ofNullable(tlsClientCa)));
        return new ServerConfig(bind, port, tls, Duration.ofSeconds(shutdownGraceSeconds), database.toConfig(),
                new ServerConfig.AuthLimits(authFailureBurst, authFailuresPerSecond));
    }
}
