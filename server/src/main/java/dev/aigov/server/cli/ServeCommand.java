package dev.aigov.server.cli;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.catalog.InvalidFile;
import dev.aigov.catalog.LoadedCatalog;
import dev.aigov.server.AigovServer;
import dev.aigov.server.config.Durations;
import dev.aigov.server.config.EvidenceConfig;
import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.config.OverloadConfig;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.config.TelemetryConfig;
import dev.aigov.server.evidence.AuditRetention;
import dev.aigov.server.grpc.NettyTransport;
import dev.aigov.server.storage.Database;
import dev.aigov.server.telemetry.Telemetry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Serves the gRPC API until SIGTERM. The default command. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the aigov gRPC API (the default command). Every option defaults to its AIGOV_* environment variable.")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--port", defaultValue = "${env:AIGOV_GRPC_PORT:-50051}",
            description = "gRPC port (env AIGOV_GRPC_PORT, default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--http-port", defaultValue = "${env:AIGOV_HTTP_PORT:-8080}",
            description = "Connect protocol (HTTP/JSON) port, same address and TLS as the gRPC port; 0 turns it off "
                    + "(env AIGOV_HTTP_PORT, default ${DEFAULT-VALUE}).")
    int httpPort;

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

    @Option(names = "--max-staleness", defaultValue = "${env:AIGOV_MAX_STALENESS:-1s}",
            description = "How old the in-memory decision state may be before evaluations fail closed with UNAVAILABLE "
                    + "(STATE_STALE), e.g. 250ms, 1.5s, 2m or PT1S (env AIGOV_MAX_STALENESS, default ${DEFAULT-VALUE}).")
    String maxStaleness;

    @Option(names = "--audit-queue-capacity", defaultValue = "${env:AIGOV_AUDIT_QUEUE_CAPACITY:-10000}",
            description = "Decisions that may wait for their audit record; beyond it calls are refused at once with "
                    + "UNAVAILABLE (OVERLOADED) (env AIGOV_AUDIT_QUEUE_CAPACITY, default ${DEFAULT-VALUE}).")
    int auditQueueCapacity;

    @Option(names = "--audit-batch-max", defaultValue = "${env:AIGOV_AUDIT_BATCH_MAX:-500}",
            description = "Decisions one audit transaction records at most (env AIGOV_AUDIT_BATCH_MAX, default ${DEFAULT-VALUE}).")
    int auditBatchMax;

    @Option(names = "--audit-writers", defaultValue = "${env:AIGOV_AUDIT_WRITERS:-2}",
            description = "Audit transactions in flight at once (env AIGOV_AUDIT_WRITERS, default ${DEFAULT-VALUE}).")
    int auditWriters;

    @Option(names = "--decision-replay-window", defaultValue = "${env:AIGOV_DECISION_REPLAY_WINDOW:-15m}",
            description = "How long a decision's request_id is remembered: a retry within it is answered with the same "
                    + "decision (env AIGOV_DECISION_REPLAY_WINDOW, a duration from 1m to 24h, default ${DEFAULT-VALUE}).")
    String decisionReplayWindow;

    @Option(names = "--auth-failure-burst", defaultValue = "${env:AIGOV_AUTH_FAILURE_BURST:-30}",
            description = "Failed authentications one peer may make at once before it is refused (RESOURCE_EXHAUSTED) without "
                    + "a lookup (env AIGOV_AUTH_FAILURE_BURST, default ${DEFAULT-VALUE}).")
    int authFailureBurst;

    @Option(names = "--auth-failures-per-second", defaultValue = "${env:AIGOV_AUTH_FAILURES_PER_SECOND:-5}",
            description = "How fast a peer's budget of failed authentications refills (env AIGOV_AUTH_FAILURES_PER_SECOND, "
                    + "default ${DEFAULT-VALUE}).")
    double authFailuresPerSecond;

    @Option(names = "--metrics-port", defaultValue = "${env:AIGOV_METRICS_PORT:-9464}",
            description = "Prometheus metrics port, path /metrics; 0 turns it off (env AIGOV_METRICS_PORT, default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--metrics-bind", defaultValue = "${env:AIGOV_METRICS_BIND:-0.0.0.0}",
            description = "Address the metrics port listens on (env AIGOV_METRICS_BIND, default ${DEFAULT-VALUE}).")
    String metricsBind;

    @Option(names = "--otlp-endpoint", defaultValue = "${env:AIGOV_OTLP_ENDPOINT:-}",
            description = "Send metrics and traces by OTLP over HTTP here, e.g. http://collector:4318 (env AIGOV_OTLP_ENDPOINT; "
                    + "unset: no export). The standard OTEL_* variables are honoured too.")
    String otlpEndpoint;

    @Option(names = "--concurrency-limit", defaultValue = "${env:AIGOV_CONCURRENCY_LIMIT:-adaptive}",
            description = "Calls served at once before new ones are refused with UNAVAILABLE (OVERLOADED): adaptive (follows "
                    + "the latency), a number (fixed), or off (env AIGOV_CONCURRENCY_LIMIT, default ${DEFAULT-VALUE}).")
    String concurrencyLimit;

    @Option(names = "--concurrency-limit-max", defaultValue = "${env:AIGOV_CONCURRENCY_LIMIT_MAX:-1000}",
            description = "The adaptive limit's ceiling, where it starts; under an overload it comes down to 256 "
                    + "(env AIGOV_CONCURRENCY_LIMIT_MAX, default ${DEFAULT-VALUE}).")
    int concurrencyLimitMax;

    @Option(names = "--catalog-file", defaultValue = "${env:AIGOV_CATALOG_FILE}",
            description = "The catalog of approved use cases, a JSON file (docs/catalog.md); an invalid one stops the start "
                    + "(env AIGOV_CATALOG_FILE; unset: the jar's built-in catalog).")
    Path catalogFile;

    @Option(names = "--signing-key-file", defaultValue = "${env:AIGOV_SIGNING_KEY_FILE}",
            description = "This replica's Ed25519 key that signs audit checkpoints, a PKCS#8 PEM file, made there (0600) if "
                    + "missing (env AIGOV_SIGNING_KEY_FILE; unset: signing-key.pem in the data directory on the embedded "
                    + "database, a key for this process alone on an external one). docs/evidence.md")
    Path signingKeyFile;

    @Option(names = "--receipt-ttl", defaultValue = "${env:AIGOV_RECEIPT_TTL:-1m}",
            description = "How long a decision's receipt is valid, whole seconds from 1s to 1h (env AIGOV_RECEIPT_TTL, "
                    + "default ${DEFAULT-VALUE}).")
    String receiptTtl;

    @Option(names = "--checkpoint-dir", defaultValue = "${env:AIGOV_CHECKPOINT_DIR}",
            description = "A directory where each chain's latest signed checkpoint is appended to checkpoints.jsonl every "
                    + "second it moved, for you to ship elsewhere (env AIGOV_CHECKPOINT_DIR; unset: not written).")
    Path checkpointDir;

    @Option(names = "--audit-retention", defaultValue = "${env:AIGOV_AUDIT_RETENTION:-400d}",
            description = "How long audit events are kept: days (400d), hours, or off; whole months past it are dropped by housekeeping. "
                    + "Under 183d is refused without --audit-retention-below-legal-floor (env AIGOV_AUDIT_RETENTION, default ${DEFAULT-VALUE}).")
    String auditRetention;

    @Option(names = "--audit-retention-below-legal-floor", defaultValue = "${env:AIGOV_AUDIT_RETENTION_BELOW_LEGAL_FLOOR:-false}",
            description = "Accept a retention under six months, the legal floor in the EU; the database owner must lower "
                    + "audit_retention_floor too (env AIGOV_AUDIT_RETENTION_BELOW_LEGAL_FLOOR, default ${DEFAULT-VALUE}).")
    boolean auditRetentionBelowLegalFloor;

    @Option(names = "--audit-archive-dir", defaultValue = "${env:AIGOV_AUDIT_ARCHIVE_DIR:-}",
            description = "Where a month's export is written, fsynced and verified before the month is dropped; unset: dropped "
                    + "without an archive (env AIGOV_AUDIT_ARCHIVE_DIR).")
    String auditArchiveDir;

    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() throws InterruptedException {
        CatalogReloads reloads = CatalogReloads.onSighup();
        ServerConfig config = toConfig();
        Database db = Database.open(config.database(), Database.EmbeddedUse.OWN);
        AigovServer server;
        try {
            server = AigovServer.start(NettyTransport.listening(config), config, db, Clock.systemUTC(), List.of(),
                    Telemetry.start(config.telemetry()));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        LOG.info("aigov listening on {}:{} ({}), {}, database: {}, {}; {}; {}; {}", config.bindAddress(), server.port(),
                config.tls().map(ServerConfig.Tls::describe).orElse("plaintext"),
                server.httpPort().map(http -> "Connect (HTTP/JSON) on port " + http).orElse("HTTP port off"), db.description(),
                config.hotPath().describe(), config.overload().describe(), config.telemetry().describe(),
                config.catalog().describe() + "; " + config.retention().describe());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down: finishing in-flight calls (up to {} s)", config.shutdownGrace().toSeconds());
            server.shutdown(config.shutdownGrace());
            db.close();
            LOG.info("aigov stopped");
        }, "aigov-shutdown"));
        reloads.serving(server);
        server.awaitTermination();
        return 0;
    }

    /**
     * SIGHUP reads the catalog file again ({@link AigovServer#reloadCatalog}), on a thread of its own
     * so that the signal's dispatch never waits on the file; reloads run one at a time. Taken from
     * the first moment, so that a SIGHUP during the start (the migration, the embedded database)
     * cannot end the process as the JVM's default handler would: it is kept, and the reload runs as
     * soon as the server serves.
     */
    private static final class CatalogReloads {
        private final java.util.concurrent.ExecutorService reloads = java.util.concurrent.Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("aigov-catalog-reload").daemon().factory());
        private AigovServer server;
        private boolean pending;

        @SuppressWarnings("sunapi") // sun.misc.Signal (jdk.unsupported) is the JDK's only way to take a signal
        static CatalogReloads onSighup() {
            CatalogReloads reloads = new CatalogReloads();
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reloads.signalled());
            } catch (IllegalArgumentException unsupported) {
                LOG.warn("SIGHUP cannot be handled here ({}): the catalog reloads only with a restart", unsupported.getMessage());
            }
            return reloads;
        }

        synchronized void signalled() {
            if (server == null) {
                pending = true;
                LOG.info("SIGHUP during the start: the catalog is read again once the server serves");
            } else {
                reloads.execute(server::reloadCatalog);
            }
        }

        synchronized void serving(AigovServer started) {
            server = started;
            if (pending) {
                pending = false;
                reloads.execute(started::reloadCatalog);
            }
        }
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
        names.add(dev.aigov.server.Main.LOG_FORMAT_VARIABLE);
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
        HotPathConfig hot = new HotPathConfig(Durations.parse("AIGOV_MAX_STALENESS", maxStaleness),
                auditQueueCapacity, auditBatchMax, auditWriters, Durations.parse("AIGOV_DECISION_REPLAY_WINDOW", decisionReplayWindow));
        if (metricsPort < 0) {
            throw new IllegalArgumentException("AIGOV_METRICS_PORT must be 0 (off) to 65535 (got " + metricsPort + ")");
        }
        if (metricsPort != 0 && metricsPort == port) {
            throw new IllegalArgumentException("AIGOV_METRICS_PORT must differ from AIGOV_GRPC_PORT (both " + port + ")");
        }
        if (httpPort < 0) {
            throw new IllegalArgumentException("AIGOV_HTTP_PORT must be 0 (off) to 65535 (got " + httpPort + ")");
        }
        if (httpPort != 0 && (httpPort == port || httpPort == metricsPort)) {
            throw new IllegalArgumentException("AIGOV_HTTP_PORT must differ from AIGOV_GRPC_PORT and AIGOV_METRICS_PORT (" + httpPort
                    + ")");
        }
        return new ServerConfig(bind, port, httpPort, tls, Duration.ofSeconds(shutdownGraceSeconds), database.toConfig(), hot,
                new ServerConfig.AuthLimits(authFailureBurst, authFailuresPerSecond),
                new TelemetryConfig(metricsPort, metricsBind, TelemetryConfig.parseEndpoint(otlpEndpoint)),
                OverloadConfig.parse(concurrencyLimit, concurrencyLimitMax), catalog(),
                new EvidenceConfig(blankToEmpty(signingKeyFile), Durations.parse("AIGOV_RECEIPT_TTL", receiptTtl),
                        blankToEmpty(checkpointDir)),
                AuditRetention.Config.parse(auditRetention, auditArchiveDir, auditRetentionBelowLegalFloor));
    }

    private static Optional<Path> blankToEmpty(Path path) {
        return path == null || path.toString().isBlank() ? Optional.empty() : Optional.of(path);
    }

    /** The built-in catalog, or the operator's file; an invalid file is one line naming it, its line and the problem. */
    private LoadedCatalog catalog() {
        if (catalogFile == null || catalogFile.toString().isBlank()) { // AIGOV_CATALOG_FILE= is unset, not a file named ""
            return CatalogFile.builtIn();
        }
        try {
            return CatalogFile.load(catalogFile);
        } catch (InvalidFile invalid) {
            throw new IllegalArgumentException("AIGOV_CATALOG_FILE: " + invalid.getMessage(), invalid);
        }
    }
}
