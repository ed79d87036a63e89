package dev.aigov.server.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/** Counts audit rows straight from the database, to prove what a call wrote (or did not). */
public final class AuditRows {
    private AuditRows() {
    }

    /** Audit events of this kind ("workspace_policy_set", "mutation_denied", ...) for this workspace. */
    public static int count(DataSource dataSource, String workspaceId, String kind) {
        return countOf(dataSource, "SELECT count(*) FROM audit_events WHERE workspace_id = ? AND kind = ?", workspaceId, kind);
    }

    /** Idempotency records of this request_id: a rejected request must not claim its id. */
    public static int idempotencyRecords(DataSource dataSource, UUID requestId) {
        return countOf(dataSource, "SELECT count(*) FROM idempotency_records WHERE request_id = ?", requestId);
    }

    /** mutation_denied events for this workspace, method and capability. */
    public static int denials(DataSource dataSource, String workspaceId, String method, String capability) {
        return countOf(dataSource, "SELECT count(*) FROM audit_events WHERE kind = 'mutation_denied' AND workspace_id = ?"
                + " AND method = ? AND capability = ? AND status_code = 'PERMISSION_DENIED'", workspaceId, method, capability);
    }

    /** The single number {@code sql} selects, with {@code parameters} bound in order. */
    public static int countOf(DataSource dataSource, String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
