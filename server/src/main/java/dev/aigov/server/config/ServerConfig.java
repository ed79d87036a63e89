package dev.aigov.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** The server's whole configuration, read and validated once at start. */
public record ServerConfig(
        String bindAddress,
        int grpcPort,
        Optional<Tls> tls,
        Duration shutdownGrace,
        DatabaseConfig database,
        HotPathConfig hotPath) {

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

    /** With the default hot path. */
    public ServerConfig(String bindAddress, int grpcPort, Optional<Tls> tls, Duration shutdownGrace, DatabaseConfig database) {
        this(bindAddress, grpcPort, tls, shutdownGrace, database, HotPathConfig.DEFAULT);
    }

    public ServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(hotPath, "hotPath");
        if (grpcPort < 0 || grpcPort > 65535) {
            throw new IllegalArgumentException("AIGOV_GRPC_PORT must be 0 to 65535 (got " + grpcPort + ")");
        }
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
