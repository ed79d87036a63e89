package dev.aigov.server.testing;

import dev.aigov.server.storage.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A real PostgreSQL for tests: one embedded instance per test JVM, migrated once and shared (it is
 * slow to start). Tests isolate by using fresh workspace ids, not by truncating tables.
 */
public final class TestDatabase implements AutoCloseable {
    private static TestDatabase shared;

    private final EmbeddedPostgres postgres;
    private final Database database;

    private TestDatabase(EmbeddedPostgres postgres, Database database) {
        this.postgres = postgres;
        this.database = database;
    }

    /** The run's shared database. Never close it: it lives as long as the JVM. */
    public static synchronized Database shared() {
        if (shared == null) {
            shared = startPrivate();
        }
        return shared.database;
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
}
