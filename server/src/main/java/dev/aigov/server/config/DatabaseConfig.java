package dev.aigov.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the database is: an external PostgreSQL ({@code AIGOV_DB_URL}), or, without one, an
 * embedded PostgreSQL whose data persists under {@code dataDir}.
 *
 * @param allowUndurable whether to serve from a database whose acknowledged commits would not
 *                       survive a crash (fsync or full_page_writes off, synchronous_commit off);
 *                       the embedded PostgreSQL then runs with fsync off too. Off by default
 *                       ({@code AIGOV_ALLOW_UNDURABLE_DATABASE}); tests opt out for speed.
 */
public record DatabaseConfig(
        Optional<External> external,
        Path dataDir,
        int poolSize,
        Duration connectTimeout,
        boolean allowUndurable) {

    /** A login: a role and its password. */
    public record Login(String user, String password) {
        public Login {
            if (user == null || user.isBlank()) {
                throw new IllegalArgumentException("a database login needs a user");
            }
        }

        @Override
        public String toString() {
            return "Login[user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    /**
     * An external PostgreSQL reached over JDBC: the server's pool logs in as {@code user} (the
     * runtime role); migrations run as {@code migration} (the owner role) when it is given.
     */
    public record External(String url, String user, String password, Optional<Login> migration) {
        public External {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(migration, "migration");
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("AIGOV_DB_URL must start with jdbc:postgresql: (got " + url + ")");
            }
        }

        /** Without an owner login: the schema must already be migrated. */
        public External(String url, String user, String password) {
            this(url, user, password, Optional.empty());
        }

        @Override
        public String toString() {
            return "External[url=" + url + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                    + ", migration=" + migration + "]";
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

    /** Durable: an undurable database is refused. */
    public DatabaseConfig(Optional<External> external, Path dataDir, int poolSize, Duration connectTimeout) {
        this(external, dataDir, poolSize, connectTimeout, false);
    }

    /** The embedded PostgreSQL's data directory. */
    public Path embeddedDataDir() {
        return dataDir.resolve("pgdata");
    }
}
