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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external PostgreSQL set up as docs/operations.md says (deploy/postgres/aigov-roles.sql): `migrate`
 * runs as the owner role, the server serves as the runtime role, which cannot wipe the trail.
 */
class ExternalRolesTest {
    private static final String OWNER_PASSWORD = "owner-test-password";
    private static final String RUNTIME_PASSWORD = "runtime-test-password";

    @Test
    void theDocumentedRolesMigrateAndServeWithLeastPrivilege(@TempDir Path home) throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            try (Connection superuser = postgres.getPostgresDatabase().getConnection(); Statement statement = superuser.createStatement()) {
                statement.execute("CREATE DATABASE aigov");
            }
            String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/aigov";
            try (Connection superuser = DriverManager.getConnection(url, "postgres", null);
                 Statement statement = superuser.createStatement()) {
                statement.execute(asPsqlWould(Files.readString(Path.of("..", "deploy", "postgres", "aigov-roles.sql"))));
            }
            DatabaseConfig.Login owner = new DatabaseConfig.Login("aigov_owner", OWNER_PASSWORD);
            // zonky's PostgreSQL runs with fsync off: this test is about roles.
            DatabaseConfig migrateConfig =
                    new DatabaseConfig(Optional.of(new DatabaseConfig.External(url, "aigov_runtime", RUNTIME_PASSWORD,
                            Optional.of(owner))), home, 1, Duration.ofSeconds(2), true);
            DatabaseConfig serveConfig =
                    new DatabaseConfig(Optional.of(new DatabaseConfig.External(url, "aigov_runtime", RUNTIME_PASSWORD)),
                            home, 2, Duration.ofSeconds(2), true);

            assertThatThrownBy(() -> Database.open(serveConfig, Database.EmbeddedUse.OWN))
                    .as("serving before migrating, without the owner's login")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("migrate");

            assertThat(Database.migrateOnly(migrateConfig)).contains("aigov_owner");

            try (Database database = Database.open(serveConfig, Database.EmbeddedUse.OWN);
                 Connection connection = database.openDedicatedConnection(); Statement statement = connection.createStatement()) {
                database.checkReachable();
                assertThat(single(statement, "SELECT current_user")).isEqualTo("aigov_runtime");
                assertThat(single(statement, "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'")).isEqualTo("aigov_owner");
                assertThat(single(statement, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user")).isEqualTo("false");
                for (String refused : new String[]{"TRUNCATE audit_events", "DELETE FROM audit_events", "TRUNCATE audit_events_default",
                        "ALTER TABLE audit_events DISABLE TRIGGER ALL", "SET session_replication_role = replica", "CREATE TABLE x (id int)",
                        "CREATE TEMPORARY TABLE x (id int)"}) {
                    assertThatThrownBy(() -> statement.execute(refused)).as(refused).isInstanceOf(SQLException.class);
                }
            }
        }
    }

    /** The psql variables the script uses, substituted as psql does (quoted literal, quoted identifier). */
    private static String asPsqlWould(String script) {
        return script.replace(":'owner_password'", "'" + OWNER_PASSWORD + "'")
                .replace(":'runtime_password'", "'" + RUNTIME_PASSWORD + "'")
                .replace(":\"DBNAME\"", "\"aigov\"");
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
