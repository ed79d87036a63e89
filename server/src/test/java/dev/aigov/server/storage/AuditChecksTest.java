package dev.aigov.server.storage;

import static dev.aigov.server.storage.EmbeddedCredentials.RUNTIME_ROLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.aigov.server.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The checks later migrations add to the audit trail come NOT VALID (so that adding one never holds
 * the audit writes while every partition is scanned) and are validated in a migration of their own:
 * once migrated, none is left unvalidated, on the table or any partition, and each refuses a row that
 * breaks it, whoever writes it (a preview's event without its window and counts among them).
 */
class AuditChecksTest {
    @Test
    void everyConstraintOfTheSchemaIsValidatedOnceMigrated() throws SQLException {
        TestDatabase.shared();
        List<String> unvalidated = new ArrayList<>();
        try (Connection connection = TestDatabase.sharedConnectionAs(RUNTIME_ROLE);
             PreparedStatement statement = connection.prepareStatement("SELECT conrelid::regclass::text || '.' || conname"
                     + " FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND NOT convalidated ORDER BY 1");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                unvalidated.add(rows.getString(1));
            }
        }
        assertThat(unvalidated).as("constraints left NOT VALID").isEmpty();
    }

    @Test
    void theNewChecksRefuseARowThatBreaksThem() throws SQLException {
        TestDatabase.shared();
        for (String broken : List.of("catalog_digest = 'md5:0123'", "catalog_label = ''", "kind = 'smuggled'",
                "preview_replayed = -1", "kind = 'change_previewed'")) {
            String column = broken.substring(0, broken.indexOf(' '));
            String value = broken.substring(broken.indexOf('=') + 2);
            try (Connection connection = TestDatabase.sharedConnectionAs(RUNTIME_ROLE);
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_events (event_id, occurred_at, kind"
                         + (column.equals("kind") ? "" : ", " + column) + ") VALUES (?, now(), "
                         + (column.equals("kind") ? value : "'ai_decision', " + value) + ")")) {
                insert.setObject(1, UUID.randomUUID());
                SQLException refused = catchThrowableOfType(SQLException.class, insert::executeUpdate);
                assertThat((Object) refused).as(broken).isNotNull();
                assertThat(refused.getSQLState()).as(broken + ": " + refused.getMessage()).isEqualTo("23514"); // check_violation
            }
        }
    }
}
