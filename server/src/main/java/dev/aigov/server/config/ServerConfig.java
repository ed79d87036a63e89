package dev.aigov.server.config;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.catalog.LoadedCatalog;
import dev.aigov.server.evidence.AuditRetention;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's whole configuration, read and validated once at start.
 *
 * @param httpPort the Connect (HTTP/JSON) port (AIGOV_HTTP_PORT, default 8080), on the same address and with the
 *                 same TLS as the gRPC port; 0 turns it off; {@link #ANY_FREE_PORT} (tests only) picks a free one
 */
public record ServerConfig(
        String bindAddress,
        int grpcPort,
        int httpPort,
        Optional<Tls> tls,
        Duration shutdownGrace,
        DatabaseConfig database,
        HotPathConfig hotPath,
        AuthLimits authLimits,
        TelemetryConfig telemetry,
        OverloadConfig overload,
        LoadedCatalog catalog,
        EvidenceConfig evidence,
        AuditRetention.Config retention) {

    /**
     * The budget of failed authentications per peer: {@code failureBurst} at once, refilled at
     * {@code failuresPerSecond} ({@code AIGOV_AUTH_FAILURE_BURST}, {@code AIGOV_AUTH_FAILURES_PER_SECOND}).
     */
    public record AuthLimits(int failureBurst, double failuresPerSecond) {
        public static final AuthLimits DEFAULT = new AuthLimits(30, 5);

        public AuthLimits {
            if (failureBurst < 1 || failureBurst > 1_000_000) {
                throw new IllegalArgumentException("AIGOV_AUTH_FAILURE_BURST must be 1 to 1000000 (got " + failureBurst + ")");
            }
            if (!(failuresPerSecond > 0) || failuresPerSecond > 1_000_000) {
                throw new IllegalArgumentException("AIGOV_AUTH_FAILURES_PER_SECOND must be above 0 and at most 1000000 (got "
                        + failuresPerSecond + ")");
            }
        }
    }

    /** TLS for the gRPC port; with a client CA, mutual TLS (clients must present a certificate it signed). */
    public record Tls(Path certificateChain, Path privateKey, Optional<Path> clientCa) {
        public Tls {
            requireReadable("AIGOV_TLS_CERT_FILE", certificateChain);
            requireReadable("AIGOV_TLS_KEY_FILE", privateKey);
            clientCa.ifPresent(ca -> requireReadable("AIGOV_TLS_CLIENT_CA_FILE", ca));
        }

        public String describe() {
            return clientCa.isPresent() ? "mutual TLS" : "TLS";
        }
    }

    /** Not reachable from the environment: a test's server picks a free HTTP port and reports it. */
    public static final int ANY_FREE_PORT = -1;

    /** With the default hot path and limits, no HTTP port, and the built-in catalog. */
    public ServerConfig(String bindAddress, int grpcPort, Optional<Tls> tls, Duration shutdownGrace, DatabaseConfig database) {
        this(bindAddress, grpcPort, 0, tls, shutdownGrace, database, HotPathConfig.DEFAULT, AuthLimits.DEFAULT,
                TelemetryConfig.OFF, OverloadConfig.DEFAULT);
    }

    /** With the built-in catalog. */
    public ServerConfig(String bindAddress, int grpcPort, int httpPort, Optional<Tls> tls, Duration shutdownGrace,
            DatabaseConfig database, HotPathConfig hotPath, AuthLimits authLimits, TelemetryConfig telemetry, OverloadConfig overload) {
        this(bindAddress, grpcPort, httpPort, tls, shutdownGrace, database, hotPath, authLimits, telemetry, overload,
                CatalogFile.builtIn());
    }

    /** The audit trail's retention and archive (AIGOV_AUDIT_RETENTION, AIGOV_AUDIT_ARCHIVE_DIR). */
    public ServerConfig withRetention(AuditRetention.Config newRetention) {
        return new ServerConfig(bindAddress, grpcPort, httpPort, tls, shutdownGrace, database, hotPath, authLimits, telemetry, overload,
                catalog, evidence, newRetention);
    }

    /**
     * With the default evidence settings, and no audit retention: a server configured in code keeps
     * every event unless told ({@link #withRetention}); {@code serve} applies AIGOV_AUDIT_RETENTION's 400 days.
     */
    public ServerConfig(String bindAddress, int grpcPort, int httpPort, Optional<Tls> tls, Duration shutdownGrace,
            DatabaseConfig database, HotPathConfig hotPath, AuthLimits authLimits, TelemetryConfig telemetry, OverloadConfig overload,
            LoadedCatalog catalog) {
        this(bindAddress, grpcPort, httpPort, tls, shutdownGrace, database, hotPath, authLimits, telemetry, overload, catalog,
                EvidenceConfig.DEFAULT, AuditRetention.Config.KEEP_EVERYTHING);
    }

    public ServerConfig withEvidence(EvidenceConfig newEvidence) {
        return new ServerConfig(bindAddress, grpcPort, httpPort, tls, shutdownGrace, database, hotPath, authLimits, telemetry, overload,
                catalog, newEvidence, retention);
    }

    public ServerConfig withTelemetry(TelemetryConfig newTelemetry) {
        return new ServerConfig(bindAddress, grpcPort, httpPort, tls, shutdownGrace, database, hotPath, authLimits, newTelemetry, overload,
                catalog, evidence, retention);
    }

    public ServerConfig withHotPath(HotPathConfig newHotPath) {
        return new ServerConfig(bindAddress, grpcPort, httpPort, tls, shutdownGrace, database, newHotPath, authLimits, telemetry, overload,
                catalog, evidence, retention);
    }

    /** The Connect port: 0 off, {@link #ANY_FREE_PORT} a free one. */
    public ServerConfig withHttpPort(int newHttpPort) {
        return new ServerConfig(bindAddress, grpcPort, newHttpPort, tls, shutdownGrace, database, hotPath, authLimits, telemetry, overload,
                catalog, evidence, retention);
    }

    /** Whether the Connect (HTTP/JSON) port is served. */
    public boolean httpServed() {
        return httpPort != 0;
    }

    public ServerConfig withOverload(OverloadConfig newOverload) {
        return new ServerConfig(bindAddress, grpcPort, httpPort, tls, shutdownGrace, database, hotPath, authLimits, telemetry, newOverload,
                catalog, evidence, retention);
    }

    public ServerConfig withCatalog(LoadedCatalog newCatalog) {
        return new ServerConfig(bindAddress, grpcPort, httpPort, tls, shutdownGrace, database, hotPath, authLimits, telemetry, overload,
                newCatalog, evidence, retention);
    }

    public ServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(hotPath, "hotPath");
        Objects.requireNonNull(telemetry, "telemetry");
        Objects.requireNonNull(overload, "overload");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(retention, "retention");
        if (grpcPort < 0 || grpcPort > 65535) {
            throw new IllegalArgumentException("AIGOV_GRPC_PORT must be 0 to 65535 (got " + grpcPort + ")");
        }
        if (httpPort < ANY_FREE_PORT || httpPort > 65535) {
            throw new IllegalArgumentException("AIGOV_HTTP_PORT must be 0 (off) to 65535 (got " + httpPort + ")");
        }
        Objects.requireNonNull(authLimits, "authLimits");
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("AIGOV_SHUTDOWN_GRACE_SECONDS must not be negative");
        }
    }

    private static void requireReadable(String variable, Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(variable + " names " + file + ", which is not a readable file");
        }
    }
}
