package dev.aigov.server.storage;

import static dev.aigov.server.storage.EmbeddedCredentials.RUNTIME_ROLE;
import static dev.aigov.server.storage.EmbeddedCredentials.SUPERUSER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import dev.aigov.server.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Least privilege as an allowlist: what the runtime role may do, read from PostgreSQL's catalogs
 * through the privilege functions (so grants to PUBLIC and through role membership count), is
 * exactly the table of docs/operations.md, "Database roles": nothing missing, nothing more. It
 * covers the database, every schema but PostgreSQL's own, every table, view and partition,
 * column grants, sequences, every function in the schema, and the settings one may grant SET on.
 */
class RuntimeGrantsTest {
    private static final String HEADING = "Database roles";

    @BeforeAll
    static void migrated() {
        TestDatabase.shared();
    }

    @Test
    void theRuntimeRolesPrivilegesAreExactlyTheDocumentedOnes() throws SQLException {
        assertThat(actual(RUNTIME_ROLE)).as("aigov_runtime's privileges in the catalogs, against docs/operations.md")
                .isEqualTo(documented());
    }

    @Test
    void noFunctionOfTheSchemaIsCallableByPublic() throws SQLException {
        // Every role may execute a new function unless it is revoked: a login that is not aigov's calls none.
        assertThat(query("SELECT p.oid::regprocedure::text FROM pg_proc p"
                + " WHERE p.pronamespace = 'public'::regnamespace"
                + " AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))"))
                .as("functions of the schema that PUBLIC may call").isEmpty();
    }

    @Test
    void theRuntimeRoleIsAMemberOfNoRole() throws SQLException {
        // docs/operations.md: "The role is a member of no other role" (a predefined role such as
        // pg_write_server_files would give powers no object privilege shows).
        assertThat(query("SELECT r.rolname FROM pg_roles r WHERE r.rolname <> ? AND pg_has_role(?, r.oid, 'MEMBER')",
                RUNTIME_ROLE, RUNTIME_ROLE)).as("roles aigov_runtime is a member of").isEmpty();
    }

    /** kind and name ("table audit_events") to the privileges, as docs/operations.md's table gives them. */
    private static Map<String, TreeSet<String>> documented() {
        Map<String, TreeSet<String>> documented = new TreeMap<>();
        for (List<String> row : rows()) {
            String kind = row.get(0);
            String name = kind.equals("database") ? "aigov" : normalised(row.get(1));
            // "SELECT (a note)": the privileges are what comes before a note.
            String privileges = row.get(2).replaceAll("\\(.*\\)", "").strip();
            TreeSet<String> previous = documented.put(kind + " " + name,
                    new TreeSet<>(Arrays.stream(privileges.split(",")).map(String::strip).toList()));
            assertThat(previous).as("%s %s is in docs/operations.md's table once", kind, name).isNull();
        }
        assertThat(documented).as("docs/operations.md's table of aigov_runtime's privileges").hasSizeGreaterThan(10);
        return documented;
    }

    private static List<List<String>> rows() {
        List<List<String>> rows = Markdown.read(RepositoryFiles.root().resolve("docs/operations.md")).tableRows(HEADING);
        assertThat(rows).as("rows of the table under \"%s\" in docs/operations.md", HEADING).isNotEmpty()
                .allSatisfy(row -> assertThat(row).hasSize(3));
        return rows;
    }

    /** A function's signature as PostgreSQL prints it (regprocedure: no space after a comma). */
    private static String normalised(String name) {
        return name.replaceAll(",\\s+", ",");
    }

    /** Each object the role has any privilege on, to those privileges. */
    private static Map<String, TreeSet<String>> actual(String role) throws SQLException {
        boolean maintain = Integer.parseInt(query("SHOW server_version_num").first()) >= 170_000;
        String tablePrivileges = "SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER" + (maintain ? ",MAINTAIN" : "");
        List<String> grants = new ArrayList<>();
        grants.addAll(query("SELECT 'database aigov|' || p FROM unnest(string_to_array('CONNECT,CREATE,TEMPORARY', ',')) p"
                + " WHERE has_database_privilege(?, current_database(), p)", role));
        grants.addAll(query("SELECT 'schema ' || n.nspname || '|' || p FROM pg_namespace n, unnest(string_to_array('USAGE,CREATE', ',')) p"
                + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
                + " AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND has_schema_privilege(?, n.oid, p)", role));
        grants.addAll(query("SELECT 'table ' || c.relname || '|' || p FROM pg_class c, unnest(string_to_array(?, ',')) p"
                + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                + " AND has_table_privilege(?, c.oid, p)", tablePrivileges, role));
        // A column grant shows in no table privilege: any such is a privilege of its own.
        grants.addAll(query("SELECT 'columns of ' || c.relname || '|' || p FROM pg_class c,"
                + " unnest(string_to_array('SELECT,INSERT,UPDATE,REFERENCES', ',')) p"
                + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                + " AND has_any_column_privilege(?, c.oid, p) AND NOT has_table_privilege(?, c.oid, p)", role, role));
        grants.addAll(query(
                "SELECT 'sequence ' || c.relname || '|' || p FROM pg_class c, unnest(string_to_array('USAGE,SELECT,UPDATE', ',')) p"
                        + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' AND has_sequence_privilege(?, c.oid, p)",
                role));
        grants.addAll(query("SELECT 'function ' || p.oid::regprocedure::text || '|EXECUTE' FROM pg_proc p"
                + " WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege(?, p.oid, 'EXECUTE')", role));
        grants.addAll(query(
                "SELECT 'setting ' || a.parname || '|' || p FROM pg_parameter_acl a, unnest(string_to_array('SET,ALTER SYSTEM', ',')) p"
                        + " WHERE has_parameter_privilege(?, a.parname, p)",
                role));
        Map<String, TreeSet<String>> actual = new TreeMap<>();
        for (String grant : grants) {
            int privilege = grant.lastIndexOf('|');
            actual.computeIfAbsent(grant.substring(0, privilege), object -> new TreeSet<>()).add(grant.substring(privilege + 1));
        }
        return actual;
    }

    private static TreeSet<String> query(String sql, String... parameters) throws SQLException {
        try (Connection connection = TestDatabase.sharedConnectionAs(SUPERUSER);
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            TreeSet<String> values = new TreeSet<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        }
    }
}
