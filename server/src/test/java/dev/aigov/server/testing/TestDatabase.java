package dev.aigov.server.testing;

import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.storage.Database;
import dev.aigov.server.storage.EmbeddedCredentials;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for tests: one embedded instance per test JVM, migrated once and shared (it is
 * slow to start). Tests isolate by using fresh workspace ids, not by truncating tables.
 *
 * <p>The shared one is started the way the server starts its own (owner and runtime roles,
 * passwords, no trust; the pool is the runtime role), except that it opts out of durability
 * (fsync off) for speed: durability is not what these tests are about.
 */
public final class TestDatabase implements AutoCloseable {
    private static Database shared;
    private static Path sharedHome;

    private final EmbeddedPostgres postgres;
    private final Database database;

    private TestDatabase(EmbeddedPostgres postgres, Database database) {
        this.postgres = postgres;
        this.database = database;
    }

    /** The run's shared database. Never close it: it lives as long as the JVM. */
    public static synchronized Database shared() {
        if (shared == null) {
            try {
                sharedHome = Files.createTempDirectory("aigov-test-db");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            shared = Database.open(new DatabaseConfig(Optional.empty(), sharedHome, 8, Duration.ofSeconds(2), true),
                    Database.EmbeddedUse.OWN);
            Path home = sharedHome;
            Database database = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                database.close();
                deleteRecursively(home);
            }, "aigov-test-database-stop"));
        }
        return shared;
    }

    /** The shared database's home directory (its credentials file, {@code pgdata/}). */
    public static synchronized Path sharedHome() {
        shared();
        return sharedHome;
    }

    /** The shared database's JDBC URL. */
    public static String sharedUrl() {
        return ((com.zaxxer.hikari.HikariDataSource) shared().dataSource()).getJdbcUrl();
    }

    /** A new connection to the shared database as {@code role}: postgres, aigov_owner or aigov_runtime. */
    public static Connection sharedConnectionAs(String role) throws SQLException {
        EmbeddedCredentials credentials = EmbeddedCredentials.read(sharedHome());
        String password = switch (role) {
            case EmbeddedCredentials.SUPERUSER -> credentials.superuserPassword();
            case EmbeddedCredentials.OWNER_ROLE -> credentials.ownerPassword();
            case EmbeddedCredentials.RUNTIME_ROLE -> credentials.runtimePassword();
            default -> throw new IllegalArgumentException("no such role: " + role);
        };
        return DriverManager.getConnection(sharedUrl(), role, password);
    }

    /** A database of its own, for a test that must stop it (an outage). Close it when done. */
    public static TestDatabase startPrivate() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("synchronous_commit", "on")
                    // Tests of the linearizable stop compare commit times.
                    .setServerConfig("track_commit_timestamp", "on")
                    .start();
            Database database = Database.over(postgres.getJdbcUrl("postgres", "postgres"), "postgres", null, 8);
            return new TestDatabase(postgres, database);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL for tests", e);
        }
    }

    public Database database() {
        return database;
    }

    /** A connection as the superuser to another database of this cluster (to change this one's settings). */
    public java.sql.Connection superuserConnection(String databaseName) throws java.sql.SQLException {
        return postgres.getDatabase("postgres", databaseName).getConnection();
    }

    /** Stops PostgreSQL but keeps the pool: the next calls find the database down. */
    public void stopPostgres() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        database.close();
        stopPostgres();
    }

    /** Removes a test's scratch directory; what cannot be removed is left for the OS's temp cleaning. */
    public static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
