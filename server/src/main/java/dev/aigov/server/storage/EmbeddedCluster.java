package dev.aigov.server.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL this process started and owns, on the persistent data directory
 * {@code <home>/pgdata}: durable (fsync, full page writes, synchronous commit) unless told
 * otherwise, every connection authenticated by password (SCRAM-SHA-256, no trust), with the
 * superuser, owner and runtime roles' passwords in {@link EmbeddedCredentials}. It can be started
 * again on the same port when its postmaster dies ({@link #restart()}), and {@link OwnerFile} names
 * this process as its owner so that a later aigov can tell an orphan from a live one.
 */
final class EmbeddedCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);
    static final String DATABASE = "postgres";
    private static final String HBA = """
            # Written by aigov at every start of its embedded PostgreSQL: every connection needs a password
            # (SCRAM-SHA-256; the passwords are in ../credentials.properties, mode 0600). No trust.
            local   all             all                                     scram-sha-256
            host    all             all             127.0.0.1/32            scram-sha-256
            host    all             all             ::1/128                 scram-sha-256
            local   replication     all                                     scram-sha-256
            host    replication     all             127.0.0.1/32            scram-sha-256
            host    replication     all             ::1/128                 scram-sha-256
            """;

    private final Path home;
    private final Path dataDir;
    private final EmbeddedCredentials credentials;
    private final boolean durable;
    private final Duration startupWait;
    private EmbeddedPostgres postgres;
    private volatile int port;
    private volatile long postmasterPid;
    private boolean closed;

    private EmbeddedCluster(Path home, EmbeddedCredentials credentials, boolean durable, Duration startupWait) {
        this.home = home;
        this.startupWait = startupWait;
        this.dataDir = home.resolve("pgdata");
        this.credentials = credentials;
        this.durable = durable;
    }

    /**
     * Starts the embedded PostgreSQL of {@code home} (initialising it the first time), creates or
     * updates the two roles, and records this process as its owner. The caller has made sure that
     * no postmaster runs there ({@link RunningPostgres}).
     */
    static EmbeddedCluster start(Path home, boolean durable, Duration startupWait) {
        EmbeddedCredentials credentials = EmbeddedCredentials.readOrCreate(home);
        EmbeddedCluster cluster = new EmbeddedCluster(home, credentials, durable, startupWait);
        try {
            cluster.startFirst();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    EmbeddedCredentials credentials() {
        return credentials;
    }

    int port() {
        return port;
    }

    String url() {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    Path dataDir() {
        return dataDir;
    }

    /** Whether the postmaster this process started is still alive: no database round trip. */
    boolean postmasterAlive() {
        return ProcessHandle.of(postmasterPid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Starts the postmaster again, on the same port, after it died (PostgreSQL recovers from its
     * WAL). Throws when it does not come up.
     */
    synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("the embedded PostgreSQL was closed");
        }
        stopQuietly();
        launch(false, false);
    }

    @Override
    public synchronized void close() {
        closed = true;
        stopQuietly();
        OwnerFile.deleteIfOurs(home);
    }

    private void startFirst() {
        boolean initialised = Files.exists(dataDir.resolve("postgresql.conf"));
        OwnerFile.claim(home);
        if (!initialised) {
            LOG.info("Initialising the embedded PostgreSQL in {}", dataDir);
            launch(true, false);
        } else if (credentials.created()) {
            secureOlderDataDirectory();
        } else {
            launch(false, false);
        }
        bootstrapRoles();
    }

    /** A data directory an older aigov made: trust for local connections, a superuser without a password. */
    private void secureOlderDataDirectory() {
        LOG.warn("The embedded PostgreSQL in {} lets local users in without a password (made by an older aigov); "
                + "setting passwords and requiring them from now on", dataDir);
        launch(false, true);
        try (Connection connection = connect(EmbeddedCredentials.SUPERUSER, credentials.superuserPassword())) {
            connection.unwrap(PGConnection.class).alterUserPassword(EmbeddedCredentials.SUPERUSER,
                    credentials.superuserPassword().toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            throw new IllegalStateException("could not set the embedded PostgreSQL's superuser password: " + e.getMessage(), e);
        }
        stopQuietly();
        launch(false, false);
    }

    private void launch(boolean initialise, boolean keepOlderHba) {
        Path passwordFile = null;
        try {
            Files.createDirectories(dataDir);
            if (initialise) {
                passwordFile = Files.createTempFile(home, "initdb", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(passwordFile, credentials.superuserPassword() + "\n", StandardCharsets.UTF_8);
            } else if (!keepOlderHba) {
                Files.writeString(dataDir.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
            }
            // A failed start in this process may leave zonky's file lock held by a channel it never closed.
            Files.deleteIfExists(dataDir.resolve("epg-lock"));
            String onOff = durable ? "on" : "off";
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    // aigov stops it itself, after the gRPC server has drained.
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    // Crash recovery replays the WAL before the first connection is accepted.
                    .setPGStartupWait(startupWait)
                    .setConnectConfig("password", credentials.superuserPassword())
                    .setServerConfig("listen_addresses", "localhost")
                    // zonky passes -F (fsync off) to every start; these come after it and win.
                    .setServerConfig("fsync", onOff)
                    .setServerConfig("full_page_writes", onOff)
                    .setServerConfig("synchronous_commit", onOff)
                    .setServerConfig("password_encryption", "scram-sha-256");
            if (initialise) {
                // Passed to initdb after zonky's "-A trust", so these win: no connection is ever trusted.
                builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile.toString());
            }
            postgres = builder.start();
            port = postgres.getPort();
            postmasterPid = RunningPostgres.find(dataDir).map(RunningPostgres::pid)
                    .orElseThrow(() -> new IllegalStateException("the embedded PostgreSQL started but wrote no postmaster.pid"));
            LOG.info("Embedded PostgreSQL running in {} on port {} (postmaster pid {}, fsync {})", dataDir, port, postmasterPid, onOff);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        } finally {
            if (passwordFile != null) {
                try {
                    Files.deleteIfExists(passwordFile);
                } catch (IOException e) {
                    LOG.warn("Could not delete {}", passwordFile);
                }
            }
        }
    }

    /** Creates the owner and runtime roles (idempotent) and sets their passwords from the credentials file. */
    private void bootstrapRoles() {
        try (Connection connection = connect(EmbeddedCredentials.SUPERUSER, credentials.superuserPassword());
             Statement statement = connection.createStatement();
             InputStream script = EmbeddedCluster.class.getResourceAsStream("/db/embedded/bootstrap.sql")) {
            if (script == null) {
                throw new IllegalStateException("db/embedded/bootstrap.sql is missing from the classpath");
            }
            statement.execute(new String(script.readAllBytes(), StandardCharsets.UTF_8));
            PGConnection pg = connection.unwrap(PGConnection.class);
            pg.alterUserPassword(EmbeddedCredentials.OWNER_ROLE, credentials.ownerPassword().toCharArray(), "scram-sha-256");
            pg.alterUserPassword(EmbeddedCredentials.RUNTIME_ROLE, credentials.runtimePassword().toCharArray(), "scram-sha-256");
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not set up the embedded PostgreSQL's roles: " + e.getMessage(), e);
        }
    }

    Connection connect(String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", "aigov");
        return DriverManager.getConnection(url(), properties);
    }

    private void stopQuietly() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not stop the embedded PostgreSQL cleanly: {}", e.getMessage());
            }
            postgres = null;
        }
    }
}
