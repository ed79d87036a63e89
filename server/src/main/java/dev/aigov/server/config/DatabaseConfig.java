package dev.aigov.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the database is: an external PostgreSQL ({@code AIGOV_DB_URL}), or, without one, an
 * embedded PostgreSQL whose data persists under {@code dataDir}.
 */
public record DatabaseConfig(
        Optional<External> external,
        Path dataDir,
        int poolSize,
        Duration connectTimeout) {

    /** An external PostgreSQL reached over JDBC. */
    public record External(String url, String user, String password) {
        public External {
            Objects.requireNonNull(url, "url");
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("AIGOV_DB_URL must start with jdbc:postgresql: (got " + url + ")");
            }
        }

        @Override
        public String toString() {
            return "External[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    public DatabaseConfig {
        Objects.requireNonNull(external, "external");
        Objects.requireNonNull(dataDir, "dataDir");
        if (poolSize < 1 || poolSize > 200) {
            throw new IllegalArgumentException("AIGOV_DB_POOL_SIZE must be 1 to 200 (got " + poolSize + ")");
        }
        if (connectTimeout.compareTo(Duration.ofMillis(250)) < 0) {
            throw new IllegalArgumentException("AIGOV_DB_CONNECT_TIMEOUT_MS must be at least 250 (got " + connectTimeout.toMillis() + ")");
        }
    }

    /** The embedded PostgreSQL's data directory. */
    public Path embeddedDataDir() {
        return dataDir.resolve("pgdata");
    }
}
