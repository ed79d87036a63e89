package dev.aigov.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL as the server runs it by default: durable, and closed to anyone without
 * a password; and the start-up refusal of a database that would lose acknowledged commits.
 */
class EmbeddedDatabaseTest {
    private static Path home;
    private static Database database;

    @BeforeAll
    static void startDurable() throws Exception {
        home = Files.createTempDirectory("aigov-embedded-test");
        database = Database.open(new DatabaseConfig(Optional.empty(), home, 2, Duration.ofSeconds(2)), Database.EmbeddedUse.OWN);
    }

    @AfterAll
    static void stop() {
        database.close();
        TestDatabase.deleteRecursively(home);
    }

    @Test
    void commitsAreDurable() throws SQLException {
        try (Connection connection = database.openDedicatedConnection(); Statement statement = connection.createStatement()) {
            assertThat(show(statement, "fsync")).isEqualTo("on");
            assertThat(show(statement, "full_page_writes")).isEqualTo("on");
            assertThat(show(statement, "synchronous_commit")).isEqualTo("on");
        }
        assertThat(database.description()).doesNotContain("UNDURABLE");
    }

    @Test
    void theDedicatedConnectionIsTheRuntimeRole() throws SQLException {
        try (Connection connection = database.openDedicatedConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT current_user")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualTo(EmbeddedCredentials.RUNTIME_ROLE);
        }
    }

    @Test
    void aConnectionWithoutThePasswordIsRefused() {
        for (String role : new String[]{EmbeddedCredentials.SUPERUSER, EmbeddedCredentials.OWNER_ROLE, EmbeddedCredentials.RUNTIME_ROLE}) {
            Properties noPassword = new Properties();
            noPassword.setProperty("user", role);
            assertThatThrownBy(() -> DriverManager.getConnection(url(), noPassword).close()).as(role)
                    .isInstanceOf(SQLException.class).hasMessageContaining("password");

            Properties wrongPassword = new Properties();
            wrongPassword.setProperty("user", role);
            wrongPassword.setProperty("password", "not-the-password");
            assertThatThrownBy(() -> DriverManager.getConnection(url(), wrongPassword).close()).as(role)
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        }
    }

    @Test
    void everyConnectionNeedsScramAndThePasswordsAreTheOwnersAlone() throws Exception {
        String hba = Files.readString(home.resolve("pgdata/pg_hba.conf"));
        assertThat(hba.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")))
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line).endsWith("scram-sha-256"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(EmbeddedCredentials.FILE_NAME))))
                .isEqualTo("rw-------");
    }

    @Test
    void anUndurableExternalDatabaseIsRefusedUnlessTheOperatorAcceptsIt() {
        // The shared test database runs with fsync off (it opted out, for speed).
        EmbeddedCredentials credentials = EmbeddedCredentials.read(TestDatabase.sharedHome());
        DatabaseConfig.External external = new DatabaseConfig.External(TestDatabase.sharedUrl(), EmbeddedCredentials.RUNTIME_ROLE,
                credentials.runtimePassword(),
                Optional.of(new DatabaseConfig.Login(EmbeddedCredentials.OWNER_ROLE, credentials.ownerPassword())));

        assertThatThrownBy(() -> Database.open(new DatabaseConfig(Optional.of(external), home, 1, Duration.ofSeconds(2), false),
                Database.EmbeddedUse.OWN))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refusing to serve")
                .hasMessageContaining("fsync=off")
                .hasMessageContaining("AIGOV_ALLOW_UNDURABLE_DATABASE=true");

        try (Database accepted = Database.open(new DatabaseConfig(Optional.of(external), home, 1, Duration.ofSeconds(2), true),
                Database.EmbeddedUse.OWN)) {
            assertThat(accepted.description()).contains("AIGOV_ALLOW_UNDURABLE_DATABASE=true").contains("fsync=off");
        }
    }

    @Test
    void aServerWithoutTheOwnersLoginServesAMigratedSchema() {
        EmbeddedCredentials credentials = EmbeddedCredentials.read(home);
        DatabaseConfig.External runtimeOnly =
                new DatabaseConfig.External(url(), EmbeddedCredentials.RUNTIME_ROLE, credentials.runtimePassword());

        try (Database runtime = Database.open(new DatabaseConfig(Optional.of(runtimeOnly), home, 1, Duration.ofSeconds(2)),
                Database.EmbeddedUse.OWN)) {
            runtime.checkReachable();
        }
    }

    private static String url() {
        return ((com.zaxxer.hikari.HikariDataSource) database.dataSource()).getJdbcUrl();
    }

    private static String show(Statement statement, String setting) throws SQLException {
        try (ResultSet rows = statement.executeQuery("SHOW " + setting)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
