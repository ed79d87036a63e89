package dev.aigov.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.server.config.DatabaseConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory made by an older aigov (trust for local connections, everything owned by the
 * password-less superuser, schema at V1) is secured and upgraded at the next start, keeping its data.
 */
class OlderDataDirectoryTest {

    @Test
    void anOlderEmbeddedDataDirectoryGetsPasswordsRolesAndItsDataKept(@TempDir Path home) throws Exception {
        Path dataDir = home.resolve("pgdata");
        Files.createDirectories(dataDir);
        try (EmbeddedPostgres older = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).start()) {
            Flyway.configure().dataSource(older.getPostgresDatabase()).locations("classpath:db/migration").target("1").load().migrate();
            try (Connection connection = older.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO workspace_policies VALUES ('older-ws', 'private_only', 1, NULL, now(), 'older')");
            }
        }

        try (Database database =
                Database.open(new DatabaseConfig(Optional.empty(), home, 3, Duration.ofSeconds(2)), Database.EmbeddedUse.OWN);
             Connection connection = database.openDedicatedConnection(); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT policy_mode FROM workspace_policies WHERE workspace_id = 'older-ws'"))
                    .isEqualTo("private_only");
            assertThat(single(statement, "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'")).isEqualTo("aigov_owner");
            // Upgraded to the latest migration: nothing of this build's is pending.
            assertThat(Flyway.configure().dataSource(database.dataSource()).locations("classpath:db/migration").load().info().pending())
                    .isEmpty();
            assertThat(Integer.parseInt(single(statement, "SELECT max(version::int) FROM flyway_schema_history WHERE success")))
                    .isGreaterThan(1);
            assertThatThrownBy(() -> statement.execute("TRUNCATE audit_events_default")).isInstanceOf(SQLException.class);

            String url = ((com.zaxxer.hikari.HikariDataSource) database.dataSource()).getJdbcUrl();
            Properties noPassword = new Properties();
            noPassword.setProperty("user", EmbeddedCredentials.SUPERUSER);
            assertThatThrownBy(() -> DriverManager.getConnection(url, noPassword).close()).isInstanceOf(SQLException.class)
                    .hasMessageContaining("password");
        }
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
