package dev.aigov.server.storage;

import static dev.aigov.server.storage.EmbeddedCredentials.OWNER_ROLE;
import static dev.aigov.server.storage.EmbeddedCredentials.RUNTIME_ROLE;
import static dev.aigov.server.storage.EmbeddedCredentials.SUPERUSER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.server.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The role the server's pool runs as cannot rewrite or wipe the audit trail, nor switch off what
 * guards it; and even the owner role cannot TRUNCATE any partition. Each attempt is tried alone,
 * in its own transaction, and must fail.
 */
class LeastPrivilegeTest {
    /** PostgreSQL's insufficient_privilege (also what the audit trail's triggers raise). */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private static List<String> partitions;

    @BeforeAll
    static void auditPartitions() throws SQLException {
        TestDatabase.shared();
        partitions = partitions();
        assertThat(partitions).contains("audit_events_default").hasSizeGreaterThanOrEqualTo(4);
        // A row to refuse changing (row triggers only fire on rows).
        execute(RUNTIME_ROLE, "INSERT INTO audit_events (event_id, occurred_at, kind, method, status_code, error_reason)"
                + " VALUES (gen_random_uuid(), now(), 'mutation_denied', 'least-privilege-test', 'UNAUTHENTICATED', 'X')");
    }

    static Stream<String> runtimeRoleMayNot() throws SQLException {
        List<String> statements = new ArrayList<>(List.of(
                "UPDATE audit_events SET message = 'rewritten'",
                "DELETE FROM audit_events",
                "TRUNCATE audit_events",
                "TRUNCATE audit_events CASCADE",
                "ALTER TABLE audit_events DISABLE TRIGGER ALL",
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete",
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate",
                "DROP TRIGGER audit_events_no_update_or_delete ON audit_events",
                "DROP TRIGGER audit_events_no_truncate ON audit_events",
                "DROP TABLE audit_events",
                "DROP FUNCTION audit_events_refuse_change() CASCADE",
                "ALTER TABLE audit_events OWNER TO aigov_runtime",
                "SET session_replication_role = replica",
                "SET LOCAL session_replication_role = replica",
                "SELECT set_config('session_replication_role', 'replica', false)",
                "CREATE TABLE aigov_runtime_ddl (id int)",
                "CREATE TEMPORARY TABLE aigov_runtime_ddl (id int)",
                "CREATE FUNCTION aigov_runtime_ddl() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "ALTER TABLE principals ADD COLUMN backdoor text",
                "DELETE FROM principals",
                "TRUNCATE principals",
                "TRUNCATE idempotency_records",
                "DELETE FROM workspace_policies",
                "DELETE FROM execution_controls",
                "CREATE ROLE aigov_backdoor SUPERUSER",
                "ALTER ROLE aigov_runtime SUPERUSER",
                "ALTER ROLE aigov_runtime BYPASSRLS",
                "SELECT audit_partition_refuse_truncate('audit_events_default'::regclass)",
                // The decision state's version and change log: written by the triggers alone.
                "UPDATE state_version SET version = version - 1",
                "INSERT INTO state_changes (version, table_name, change_key) VALUES (999999999, 'principals', 'ff')",
                "DELETE FROM state_changes",
                "SELECT append_state_change('workspace_policies', 'forged')",
                // The stop lock: only through lock_state_for_decisions / lock_state_for_change.
                "LOCK TABLE state_version IN ROW SHARE MODE",
                "SELECT 1 FROM state_version FOR SHARE",
                "SELECT lock_state_exclusively(1)"));
        for (String partition : partitions()) {
            statements.add("TRUNCATE " + partition);
            statements.add("DELETE FROM " + partition);
            statements.add("UPDATE " + partition + " SET message = 'rewritten'");
            statements.add("ALTER TABLE " + partition + " DISABLE TRIGGER ALL");
            statements.add("DROP TRIGGER audit_events_no_truncate ON " + partition);
            statements.add("ALTER TABLE audit_events DETACH PARTITION " + partition);
            statements.add("DROP TABLE " + partition);
        }
        return statements.stream();
    }

    @ParameterizedTest
    @MethodSource("runtimeRoleMayNot")
    void theRuntimeRoleCannot(String statement) {
        int before = auditRows();

        // 42501 insufficient_privilege: refused for want of a privilege, not failed for another reason.
        assertThatThrownBy(() -> attempt(RUNTIME_ROLE, statement)).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).as("SQLState of %s", statement).isEqualTo(INSUFFICIENT_PRIVILEGE);

        assertThat(auditRows()).isGreaterThanOrEqualTo(before);
        assertThat(partitions()).containsExactlyInAnyOrderElementsOf(partitions);
    }

    static Stream<String> ownerRoleMayNot() throws SQLException {
        List<String> statements = new ArrayList<>(List.of(
                "UPDATE audit_events SET message = 'rewritten'",
                "DELETE FROM audit_events",
                "TRUNCATE audit_events"));
        for (String partition : partitions()) {
            statements.add("TRUNCATE " + partition);
        }
        return statements.stream();
    }

    @ParameterizedTest
    @MethodSource("ownerRoleMayNot")
    void evenTheOwnerRoleCannotRewriteOrTruncateThroughTheTriggers(String statement) {
        assertThatThrownBy(() -> attempt(OWNER_ROLE, statement))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("append-only")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {RUNTIME_ROLE, OWNER_ROLE})
    void neitherRoleIsASuperuserNorBypassesRowSecurityNorCreatesRoles(String role) throws SQLException {
        try (Connection connection = TestDatabase.sharedConnectionAs(SUPERUSER);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication"
                     + " FROM pg_roles WHERE rolname = '" + role + "'")) {
            assertThat(rows.next()).isTrue();
            for (int column = 1; column <= 5; column++) {
                assertThat(rows.getBoolean(column)).as("column %s of %s", column, role).isFalse();
            }
        }
    }

    @Test
    void theRuntimeRoleCanAppendAndReadTheTrail() throws SQLException {
        int before = auditRows();

        execute(RUNTIME_ROLE, "INSERT INTO audit_events (event_id, occurred_at, kind, method, status_code, error_reason)"
                + " VALUES (gen_random_uuid(), now(), 'mutation_denied', 'least-privilege-test', 'UNAUTHENTICATED', 'X')");

        assertThat(auditRows()).isEqualTo(before + 1);
    }

    @Test
    void partitionsCreatedLaterRefuseTruncateToo() throws SQLException {
        // Called by the runtime role, as the server's housekeeping does: it runs as the owner (SECURITY DEFINER).
        execute(RUNTIME_ROLE, "SELECT ensure_audit_partitions(4)");

        List<String> now = partitions();
        assertThat(now.size()).isGreaterThan(partitions.size());
        for (String partition : now) {
            assertThatThrownBy(() -> execute(OWNER_ROLE, "TRUNCATE " + partition)).as(partition)
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
        }
        partitions = now;
    }

    /**
     * Runs {@code sql} in a transaction of its own, rolled back: as a statement of the server's
     * would run (LOCK TABLE, for one, fails outside a transaction whoever runs it).
     */
    private static void attempt(String role, String sql) throws SQLException {
        try (Connection connection = TestDatabase.sharedConnectionAs(role); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            try {
                statement.execute(sql);
            } finally {
                connection.rollback();
            }
        }
    }

    private static void execute(String role, String sql) throws SQLException {
        try (Connection connection = TestDatabase.sharedConnectionAs(role); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int auditRows() {
        try (Connection connection = TestDatabase.sharedConnectionAs(OWNER_ROLE); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM audit_events")) {
            rows.next();
            return rows.getInt(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> partitions() {
        try (Connection connection = TestDatabase.sharedConnectionAs(OWNER_ROLE); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT inhrelid::regclass::text FROM pg_inherits"
                     + " WHERE inhparent = 'audit_events'::regclass ORDER BY 1")) {
            List<String> names = new ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
