package dev.aigov.server.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.error.Causes;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database: a pooled, migrated PostgreSQL and the jOOQ context over it. The pool connects as
 * the runtime role (least privilege); migrations run as the owner role. With no external database
 * configured it runs an embedded PostgreSQL on a persistent data directory (restarting it when it
 * dies), or joins the one another live aigov process runs there.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /** Months of audit partitions kept ready ahead of time. */
    private static final int AUDIT_PARTITIONS_AHEAD = 2;
    /** How long an orphaned postmaster gets to stop by itself before it is killed. */
    private static final Duration ORPHAN_STOP_GRACE = Duration.ofSeconds(15);

    private final HikariDataSource pool;
    private final PoolMetrics poolMetrics;
    private final DSLContext dsl;
    private final EmbeddedCluster embedded;
    private final EmbeddedWatch watch;
    private String description;
    /** Whether the operator accepted an undurable database (AIGOV_ALLOW_UNDURABLE_DATABASE). */
    private volatile boolean undurableAccepted;

    private Database(HikariDataSource pool, EmbeddedCluster embedded, String description) {
        this(pool, embedded, description, EmbeddedTimings.DEFAULT);
    }

    private Database(HikariDataSource pool, EmbeddedCluster embedded, String description, EmbeddedTimings timings) {
        this.pool = pool;
        this.poolMetrics = (PoolMetrics) pool.getMetricsTrackerFactory();
        this.embedded = embedded;
        this.description = description;
        this.dsl = DSL.using(pool, SQLDialect.POSTGRES,
                new Settings().withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED));
        this.watch = embedded == null ? null : EmbeddedWatch.start(embedded, pool, timings);
    }

    /** Who opens the embedded database: the server owns it; the token commands may join the server's. */
    public enum EmbeddedUse {
        /** Start it, and fail if another live process runs it: a server must not depend on another's lifetime. */
        OWN,
        /** Join the one a running server started, or start it for the duration of one command. */
        JOIN_OR_START
    }

    /** A database login. */
    private record Login(String url, String user, String password) {
    }

    /**
     * Opens (and, for the embedded database, starts or joins) the database, migrates it when the
     * owner role's login is known (otherwise checks that it is migrated), and refuses an undurable
     * database unless the configuration accepts one.
     */
    public static Database open(DatabaseConfig config, EmbeddedUse use) {
        return open(config, use, EmbeddedTimings.DEFAULT);
    }

    /** Like {@link #open(DatabaseConfig, EmbeddedUse)}, the embedded PostgreSQL's start and restarts paced by {@code timings}. */
    static Database open(DatabaseConfig config, EmbeddedUse use, EmbeddedTimings timings) {
        if (config.external().isPresent()) {
            DatabaseConfig.External external = config.external().get();
            Optional<Login> owner = external.migration().map(m -> new Login(external.url(), m.user(), m.password()));
            Database database = new Database(pool(config, external.url(), external.user(), external.password()), null,
                    "PostgreSQL at " + withoutParameters(external.url()));
            return prepared(database, owner, config.allowUndurable());
        }
        Path home = config.dataDir().toAbsolutePath().normalize();
        Path dataDir = config.embeddedDataDir().toAbsolutePath().normalize();
        // One starter at a time on this data directory (an OS file lock), from judging a running postmaster to owning one.
        Object started = OwnerFile.whileStarting(home, () -> {
            Optional<RunningPostgres> running = RunningPostgres.find(dataDir);
            if (running.isPresent()) {
                Optional<OwnerFile> owner = OwnerFile.read(home);
                if (owner.isEmpty() || owner.get().alive()) {
                    String owningPid = owner.map(o -> "pid " + o.pid() + ", ").orElse("");
                    if (use == EmbeddedUse.OWN) {
                        throw new IllegalStateException("another aigov process runs the embedded PostgreSQL in " + dataDir
                                + " (" + owningPid + "port " + running.get().port()
                                + "); stop it, or give this server another AIGOV_DATA_DIR or an AIGOV_DB_URL");
                    }
                    return (Object) joined(config, home, dataDir, running.get());
                }
                LOG.warn("The embedded PostgreSQL in {} (pid {}) was started by aigov process {}, which is gone; stopping it",
                        dataDir, running.get().pid(), owner.get().pid());
                running.get().stop(ORPHAN_STOP_GRACE);
            }
            return EmbeddedCluster.start(home, !config.allowUndurable(), timings.startupWait());
        });
        if (started instanceof Database joinedDatabase) {
            return joinedDatabase;
        }
        EmbeddedCluster cluster = (EmbeddedCluster) started;
        try {
            EmbeddedCredentials credentials = cluster.credentials();
            Database database = new Database(pool(config, cluster.url(), EmbeddedCredentials.RUNTIME_ROLE, credentials.runtimePassword()),
                    cluster, "embedded PostgreSQL at " + dataDir + " (port " + cluster.port() + ")", timings);
            return prepared(database, Optional.of(new Login(cluster.url(), EmbeddedCredentials.OWNER_ROLE, credentials.ownerPassword())),
                    config.allowUndurable());
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static Database joined(DatabaseConfig config, Path home, Path dataDir, RunningPostgres running) {
        EmbeddedCredentials credentials = EmbeddedCredentials.read(home);
        String url = "jdbc:postgresql://localhost:" + running.port() + "/" + EmbeddedCluster.DATABASE;
        Database database = new Database(pool(config, url, EmbeddedCredentials.RUNTIME_ROLE, credentials.runtimePassword()), null,
                "embedded PostgreSQL at " + dataDir + " (run by another aigov process, port " + running.port() + ")");
        return prepared(database, Optional.of(new Login(url, EmbeddedCredentials.OWNER_ROLE, credentials.ownerPassword())),
                config.allowUndurable());
    }

    /**
     * Migrates the database as the owner role, for {@code java -jar aigov-server.jar migrate}: an
     * external database needs AIGOV_DB_MIGRATION_USER; the embedded one is started (or joined) and
     * migrated as by {@link #open}.
     */
    public static String migrateOnly(DatabaseConfig config) {
        if (config.external().isEmpty()) {
            try (Database database = open(config, EmbeddedUse.JOIN_OR_START)) {
                return database.description();
            }
        }
        DatabaseConfig.External external = config.external().get();
        DatabaseConfig.Login migration = external.migration().orElseThrow(() -> new IllegalArgumentException(
                "migrate needs the owner role's login: set AIGOV_DB_MIGRATION_USER and AIGOV_DB_MIGRATION_PASSWORD"));
        Login owner = new Login(external.url(), migration.user(), migration.password());
        migrate(owner, "PostgreSQL at " + withoutParameters(external.url()));
        return "PostgreSQL at " + withoutParameters(external.url()) + " (as " + migration.user() + ")";
    }

    /** Wraps an already running database (tests share one per run). Migrates it as {@code user}. */
    public static Database over(String url, String user, String password, int poolSize) {
        DatabaseConfig config = new DatabaseConfig(Optional.empty(), Path.of("."), poolSize, Duration.ofSeconds(2));
        Database database = new Database(pool(config, url, user, password), null, "PostgreSQL at " + withoutParameters(url));
        return prepared(database, Optional.of(new Login(url, user, password)), true);
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** The pool: the runtime role. */
    public javax.sql.DataSource dataSource() {
        return pool;
    }

    /**
     * A fresh connection of its own, outside the pool, as the runtime role, with the pool's URL and
     * properties but no statement timeout (for LISTEN, which holds a connection for as long as the
     * server runs). The caller closes it. After the embedded PostgreSQL was restarted, a new one
     * reaches it again (same port).
     */
    public Connection openDedicatedConnection() throws SQLException {
        Properties properties = new Properties();
        properties.putAll(pool.getDataSourceProperties());
        properties.remove("options");
        if (pool.getUsername() != null) {
            properties.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            properties.setProperty("password", pool.getPassword());
        }
        properties.setProperty("ApplicationName", "aigov-listener");
        properties.setProperty("socketTimeout", "10");
        return DriverManager.getConnection(pool.getJdbcUrl(), properties);
    }

    /** What a person needs to know about where the data lives, for the start-up log line. */
    public String description() {
        return description;
    }

    /**
     * False once the embedded PostgreSQL died and could not be started again within the bounded
     * retries (liveness: the process should be restarted). Always true for an external database,
     * whose outages the pool rides out.
     */
    public boolean alive() {
        return watch == null || watch.alive();
    }

    /**
     * Throws unless a trivial query answers within the pool's connect timeout: the health check.
     * The wait for a connection is bounded by the pool; the query by a network timeout.
     */
    public void checkReachable() {
        int timeoutMillis = (int) pool.getConnectionTimeout();
        String[] undurable = dsl.connectionResult(connection -> {
            // Without it a partitioned network leaves the read waiting for TCP to give up (hours).
            // The pool restores the connection's own timeout when the connection goes back.
            connection.setNetworkTimeout(Runnable::run, timeoutMillis);
            return dev.aigov.db.jooq.Routines.undurableSettings(DSL.using(connection, SQLDialect.POSTGRES).configuration());
        });
        // Durability is checked again on every round, not only at start: a setting changed since makes the replica not ready.
        if (undurable.length > 0 && !undurableAccepted) {
            throw new IllegalStateException("the database would now lose acknowledged commits on a crash ("
                    + String.join(", ", undurable) + "); set fsync=on, full_page_writes=on and synchronous_commit=on again");
        }
    }

    /** Creates the audit partitions of this month and the next ones; returns how many it created. */
    public int ensureAuditPartitions() {
        return dev.aigov.db.jooq.Routines.ensureAuditPartitions(dsl.configuration(), AUDIT_PARTITIONS_AHEAD);
    }

    /** How many monthly audit partitions exist after the current one. */
    public int auditPartitionsAhead() {
        return dev.aigov.db.jooq.Routines.auditPartitionsAhead(dsl.configuration());
    }

    /**
     * Reports the pool (connections active, idle, pending; acquisition times and timeouts) through
     * the HikariCP metrics tracker {@code reporter} makes, until the returned handle is closed.
     */
    public AutoCloseable reportPoolTo(com.zaxxer.hikari.metrics.MetricsTrackerFactory reporter) {
        return poolMetrics.reportTo(reporter::create);
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        pool.close();
        if (embedded != null) {
            embedded.close();
        }
    }

    private static Database prepared(Database database, Optional<Login> owner, boolean allowUndurable) {
        try {
            if (owner.isPresent()) {
                migrate(owner.get(), database.description);
            } else {
                requireMigrated(database);
            }
            database.requireDurable(allowUndurable);
            database.ensureAuditPartitions();
            return database;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static void migrate(Login owner, String description) {
        try {
            FluentConfiguration flyway = Flyway.configure()
                    .dataSource(owner.url(), owner.user(), owner.password())
                    .locations("classpath:db/migration");
            // A session-level lock lets Flyway migrate over one connection: a pool of one must start too.
            flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
            flyway.load().migrate();
        } catch (RuntimeException e) {
            throw new IllegalStateException("could not migrate " + description + " as " + owner.user() + ": " + Causes.rootMessage(e), e);
        }
    }

    /** Without the owner's login the schema must already be current (migrated with `migrate`). */
    private static void requireMigrated(Database database) {
        MigrationInfo[] pending;
        try {
            // Its own connections: Flyway holds two, and a pool of one would starve it.
            pending = Flyway.configure().dataSource(database.pool.getJdbcUrl(), database.pool.getUsername(), database.pool.getPassword())
                    .locations("classpath:db/migration").load().info().pending();
        } catch (RuntimeException e) {
            throw new IllegalStateException("could not read the schema version of " + database.description + ": " + Causes.rootMessage(e)
                    + " (run `java -jar aigov-server.jar migrate` with AIGOV_DB_MIGRATION_USER/AIGOV_DB_MIGRATION_PASSWORD first)", e);
        }
        if (pending.length > 0) {
            throw new IllegalStateException(database.description + " lacks " + pending.length + " migration(s) (first: "
                    + pending[0].getScript() + "): run `java -jar aigov-server.jar migrate` with AIGOV_DB_MIGRATION_USER/"
                    + "AIGOV_DB_MIGRATION_PASSWORD, or give the server those variables");
        }
    }

    /** Refuses a database whose acknowledged commits would not survive a crash, unless the operator accepted that. */
    private void requireDurable(boolean allowUndurable) {
        undurableAccepted = allowUndurable;
        List<String> undurable = Arrays.asList(dev.aigov.db.jooq.Routines.undurableSettings(dsl.configuration()));
        if (undurable.isEmpty() && !allowUndurable) {
            return;
        }
        if (!undurable.isEmpty() && !allowUndurable) {
            throw new IllegalStateException("refusing to serve: " + description + " would lose acknowledged commits on a crash ("
                    + String.join(", ", undurable) + "); set fsync=on, full_page_writes=on and synchronous_commit=on, "
                    + "or accept the loss explicitly with AIGOV_ALLOW_UNDURABLE_DATABASE=true");
        }
        String settings = undurable.isEmpty() ? "its settings are durable" : String.join(", ", undurable);
        LOG.warn("AIGOV_ALLOW_UNDURABLE_DATABASE=true: acknowledged audit events may be lost on a crash of {} ({})", description, settings);
        description = description + " [AIGOV_ALLOW_UNDURABLE_DATABASE=true: " + settings + "]";
    }

    /** A JDBC URL without its parameters, which may hold a password: what logs may show. */
    private static String withoutParameters(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    private static HikariDataSource pool(DatabaseConfig config, String url, String user, String password) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("aigov");
        hikari.setMetricsTrackerFactory(new PoolMetrics());
        hikari.setJdbcUrl(url);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(config.poolSize());
        // Fail fast and closed: a call waits at most this long for a connection before UNAVAILABLE.
        hikari.setConnectionTimeout(config.connectTimeout().toMillis());
        hikari.setValidationTimeout(Math.min(config.connectTimeout().toMillis(), 1000));
        // Start even when the database is briefly unreachable; calls answer UNAVAILABLE until it is back.
        hikari.setInitializationFailTimeout(-1);
        // The linearizable stop relies on it (V2__decision_state.sql): whatever the database's default.
        hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        hikari.addDataSourceProperty("ApplicationName", "aigov");
        hikari.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        // A hung database must not hold a call forever: bound every statement and every socket read.
        // synchronous_commit pinned per connection: a server-wide or per-role "off" cannot make its commits undurable.
        hikari.addDataSourceProperty("options", "-c statement_timeout=10000 -c synchronous_commit=on");
        hikari.addDataSourceProperty("socketTimeout", "30");
        return new HikariDataSource(hikari);
    }
}
