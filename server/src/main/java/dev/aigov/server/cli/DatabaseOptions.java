package dev.aigov.server.cli;

import dev.aigov.server.config.DatabaseConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the database is; every option defaults to its AIGOV_* environment variable. */
public final class DatabaseOptions {
    @Option(names = "--db-url", defaultValue = "${env:AIGOV_DB_URL}",
            description = "JDBC URL of PostgreSQL (env AIGOV_DB_URL). Without one, an embedded PostgreSQL keeps its data under --data-dir.")
    String url;

    @Option(names = "--db-user", defaultValue = "${env:AIGOV_DB_USER}", description = "Database user (env AIGOV_DB_USER).")
    String user;

    /** The password is read from the environment only: a command line shows in `ps`. */
    static final String PASSWORD_VARIABLE = "AIGOV_DB_PASSWORD";

    String password = System.getenv(PASSWORD_VARIABLE);

    @Option(names = "--db-migration-user", defaultValue = "${env:AIGOV_DB_MIGRATION_USER}",
            description = "Database owner role that runs the migrations (env AIGOV_DB_MIGRATION_USER); without it the "
                    + "external database must already be migrated (`migrate`).")
    String migrationUser;

    /** Read from the environment only, like the runtime password. */
    static final String MIGRATION_PASSWORD_VARIABLE = "AIGOV_DB_MIGRATION_PASSWORD";

    String migrationPassword = System.getenv(MIGRATION_PASSWORD_VARIABLE);

    @Option(names = "--allow-undurable-database", defaultValue = "${env:AIGOV_ALLOW_UNDURABLE_DATABASE:-false}",
            description = "Serve even when the database would lose acknowledged commits on a crash (fsync off, ...); the "
                    + "embedded PostgreSQL then runs with fsync off (env AIGOV_ALLOW_UNDURABLE_DATABASE, default ${DEFAULT-VALUE}).")
    boolean allowUndurable;

    @Option(names = "--data-dir", defaultValue = "${env:AIGOV_DATA_DIR:-.aigov}",
            description = "Where the embedded PostgreSQL keeps its data (env AIGOV_DATA_DIR, default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--db-pool-size", defaultValue = "${env:AIGOV_DB_POOL_SIZE:-10}",
            description = "Database connections (env AIGOV_DB_POOL_SIZE, default ${DEFAULT-VALUE}).")
    int poolSize;

    @Option(names = "--db-connect-timeout-ms", defaultValue = "${env:AIGOV_DB_CONNECT_TIMEOUT_MS:-2000}",
            description = "How long a call waits for a database connection before UNAVAILABLE "
                    + "(env AIGOV_DB_CONNECT_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
    long connectTimeoutMillis;

    public DatabaseConfig toConfig() {
        Optional<DatabaseConfig.External> external = url == null || url.isBlank()
                ? Optional.empty()
                : Optional.of(new DatabaseConfig.External(url, user, password, migrationLogin()));
        if (external.isEmpty() && (migrationUser != null && !migrationUser.isBlank())) {
            throw new IllegalArgumentException("AIGOV_DB_MIGRATION_USER needs AIGOV_DB_URL: the embedded PostgreSQL has its own roles");
        }
        return new DatabaseConfig(external, dataDir, poolSize, Duration.ofMillis(connectTimeoutMillis), allowUndurable);
    }

    private Optional<DatabaseConfig.Login> migrationLogin() {
        if (migrationUser == null || migrationUser.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new DatabaseConfig.Login(migrationUser, migrationPassword));
    }
}
