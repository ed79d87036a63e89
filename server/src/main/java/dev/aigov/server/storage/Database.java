package dev.aigov.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aigov.server.config.DatabaseConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;


/**
 * The database: a pooled, migrated PostgreSQL and the jOOQ context over it. With no external
 * database configured it runs an embedded PostgreSQL on a persistent data directory, or joins the
 * one another aigov process (a running server) already runs there.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** Months of audit partitions kept ready ahead of time. */
    private static final int AUDIT_PARTITIONS_AHEAD = 2;

    private final HikariDataSource pool;
    private final DSLContext dsl;
    private final EmbeddedPostgres embedded;
    private final String description;

    private Database(HikariDataSource pool, EmbeddedPostgres embedded, String description) {
        this.pool = pool;
        this.embedded = embedded;
        this.description = description;
        this.dsl = DSL.using(pool, SQLDialect.POSTGRES,
                new Settings().withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED));
    }

    /** Who opens the embedded database: the server owns it; the token commands may join the server's. */
    public enum EmbeddedUse {
        /** Start it, and fail if another process already runs it: a server must not depend on another's lifetime. */
        OWN,
        /** Join the one a running server started, or start it for the duration of one command. */
        JOIN_OR_START
    }

    /** Opens (and, for the embedded database, starts or joins) the database and migrates it. */
    public static Database open(DatabaseConfig config, EmbeddedUse use) {
        if (config.external().isPresent()) {
            DatabaseConfig.External external = config.external().get();
            HikariDataSource pool = pool(config, external.url(), external.user(), external.password());
            return migrated(new Database(pool, null, "PostgreSQL at " + external.url()));
        }
        Path dataDir = config.embeddedDataDir().toAbsolutePath().normalize();
        OptionalInt runningPort = RunningPostgres.portOf(dataDir);
        if (runningPort.isPresent() && use == EmbeddedUse.OWN) {
            throw new IllegalStateException("another aigov process runs the embedded PostgreSQL in " + dataDir
                    + " (port " + runningPort.getAsInt() + "); stop it, or give this server another AIGOV_DATA_DIR or an AIGOV_DB_URL");
        }
        if (runningPort.isPresent()) {
            String url = "jdbc:postgresql://localhost:" + runningPort.getAsInt() + "/postgres";
            return migrated(new Database(pool(config, url, "postgres", null), null,
                    "embedded PostgreSQL at " + dataDir + " (run by another aigov process, port " + runningPort.getAsInt() + ")"));
        }
        EmbeddedPostgres postgres = startEmbedded(dataDir);
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        try {
            return migrated(new Database(pool(config, url, "postgres", null), postgres,
                    "embedded PostgreSQL at " + dataDir + " (port " + postgres.getPort() + ")"));
        } catch (RuntimeException e) {
            closeQuietly(postgres);
            throw e;
        }
    }

    /** Wraps an already running database (tests share one per run). Migrates it. */
    public static Database over(String url, String user, String password, int poolSize) {
        DatabaseConfig config = new DatabaseConfig(Optional.empty(), Path.of("."), poolSize, java.time.Duration.ofSeconds(2));
        return migrated(new Database(pool(config, url, user, password), null, "PostgreSQL at " + url));
    }

    public DSLContext dsl() {
        return dsl;
    }

    public javax.sql.DataSource dataSource() {
        return pool;
    }

    /**
     * A connection of its own, outside the pool, with the pool's URL, credentials and settings (but
     * no statement timeout): for a session that must stay open, such as LISTEN. The caller closes it.
     */
    public java.sql.Connection openDedicatedConnection() throws java.sql.SQLException {
        java.util.Properties properties = new java.util.Properties();
        pool.getDataSourceProperties().forEach(properties::put);
        properties.remove("options");
        if (pool.getUsername() != null) {
            properties.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            properties.setProperty("password", pool.getPassword());
        }
        properties.setProperty("ApplicationName", "aigov-listener");
        properties.setProperty("socketTimeout", "10");
        return java.sql.DriverManager.getConnection(pool.getJdbcUrl(), properties);
    }

    /** What a person needs to know about where the data lives, for the start-up log line. */
    public String description() {
        return description;
    }

    /**
     * Throws unless a trivial query answers within the pool's connect timeout: the health check.
     * The wait for a connection is bounded by the pool; the query by a network timeout.
     */
    public void checkReachable() {
        int timeoutMillis = (int) pool.getConnectionTimeout();
        dsl.connection(connection -> {
            // Without it a partitioned network leaves the read waiting for TCP to give up (hours).
            // The pool restores the connection's own timeout when the connection goes back.
            connection.setNetworkTimeout(Runnable::run, timeoutMillis);
            DSL.using(connection, SQLDialect.POSTGRES).selectOne().fetch();
        });
    }

    /** Creates the audit partitions of this month and the next ones; returns how many it created. */
    public int ensureAuditPartitions() {
        return dev.aigov.db.jooq.Routines.ensureAuditPartitions(dsl.configuration(), AUDIT_PARTITIONS_AHEAD);
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            closeQuietly(embedded);
        }
    }

    private static Database migrated(Database database) {
        try {
            FluentConfiguration flyway = Flyway.configure()
                    .dataSource(database.pool)
                    .locations("classpath:db/migration");
            // A session-level lock lets Flyway migrate over one connection: a pool of one must start too.
            flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
            flyway.load().migrate();
            database.ensureAuditPartitions();
            return database;
        } catch (RuntimeException e) {
            database.pool.close();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new IllegalStateException("could not migrate " + database.description + ": " + root.getMessage(), e);
        }
    }

    private static HikariDataSource pool(DatabaseConfig config, String url, String user, String password) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("aigov");
        hikari.setJdbcUrl(url);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(config.poolSize());
        // Fail fast and closed: a call waits at most this long for a connection before UNAVAILABLE.
        hikari.setConnectionTimeout(config.connectTimeout().toMillis());
        hikari.setValidationTimeout(Math.min(config.connectTimeout().toMillis(), 1000));
        // Start even when the database is briefly unreachable; calls answer UNAVAILABLE until it is back.
        hikari.setInitializationFailTimeout(-1);
        hikari.addDataSourceProperty("ApplicationName", "aigov");
        hikari.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        // A hung database must not hold a call forever: bound every statement and every socket read.
        hikari.addDataSourceProperty("options", "-c statement_timeout=10000");
        hikari.addDataSourceProperty("socketTimeout", "30");
        return new HikariDataSource(hikari);
    }

    private static EmbeddedPostgres startEmbedded(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            LOG.info("Starting embedded PostgreSQL with its data in {}", dataDir.toAbsolutePath());
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    // aigov stops it itself, after the gRPC server has drained.
                    .setRegisterShutdownHook(false)
                    // An audit event that was acknowledged must survive a crash.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "localhost")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir, e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("another process is starting the embedded PostgreSQL in " + dataDir
                    + "; wait for it and retry", e);
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("Could not stop the embedded PostgreSQL cleanly", e);
        }
    }

    /** Reads a running postmaster's port from its data directory, if one is alive there. */
    static final class RunningPostgres {
        private RunningPostgres() {
        }

        static OptionalInt portOf(Path dataDir) {
            Path pidFile = dataDir.resolve("postmaster.pid");
            if (!Files.isRegularFile(pidFile)) {
                return OptionalInt.empty();
            }
            try {
                // postmaster.pid: line 1 the pid, line 4 the port (PostgreSQL's documented layout).
                List<String> lines = Files.readAllLines(pidFile);
                if (lines.size() < 4) {
                    return OptionalInt.empty();
                }
                long pid = Long.parseLong(lines.get(0).trim());
                // A stale pid file whose number now belongs to another program does not count.
                boolean alive = ProcessHandle.of(pid)
                        .filter(ProcessHandle::isAlive)
                        .flatMap(process -> process.info().command())
                        .map(command -> command.contains("postgres"))
                        .orElse(false);
                return alive ? OptionalInt.of(Integer.parseInt(lines.get(3).trim())) : OptionalInt.empty();
            } catch (IOException | NumberFormatException e) {
                return OptionalInt.empty();
            }
        }
    }
}
