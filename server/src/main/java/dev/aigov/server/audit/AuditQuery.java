package dev.aigov.server.audit;

import dev.aigov.core.Outcome;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A filtered, paged read of the audit trail.
 *
 * @param reachableWorkspaces the reader's workspaces when its capability is workspace-limited
 * @param after               the last event of the previous page
 */
public record AuditQuery(
        Optional<String> workspaceId,
        Optional<Set<String>> reachableWorkspaces,
        Optional<Kind> kind,
        Optional<Outcome> outcome,
        Optional<Instant> startTime,
        Optional<Instant> endTime,
        int pageSize,
        Optional<Cursor> after) {

    /** What an event records. */
    public enum Kind {
        AI_DECISION, WORKSPACE_POLICY_SET, EXECUTION_CONTROL_SET, MUTATION_DENIED, CHANGE_PREVIEWED
    }

    /** Where a page ended: the newest-first order is (occurred_at, event_id) descending. */
    public record Cursor(Instant occurredAt, UUID eventId) {
    }
}
