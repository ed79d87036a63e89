package dev.aigov.server.policy;

import static dev.aigov.db.jooq.Tables.WORKSPACE_POLICIES;
import static dev.aigov.db.jooq.Tables.WORKSPACE_POLICY_VERSIONS;

import dev.aigov.core.PolicyMode;
import dev.aigov.core.Vocabulary;
import dev.aigov.db.jooq.tables.records.WorkspacePoliciesRecord;
import dev.aigov.db.jooq.tables.records.WorkspacePolicyVersionsRecord;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import org.jooq.DSLContext;

/** Workspace policies: the one in force per workspace, and every version each ever had. */
public final class WorkspacePolicyRepository {
    private WorkspacePolicyRepository() {
    }

    /** The policy in force; the default when the workspace never set one. */
    public static WorkspacePolicy current(DSLContext dsl, String workspaceId) {
        return dsl.selectFrom(WORKSPACE_POLICIES)
                .where(WORKSPACE_POLICIES.WORKSPACE_ID.eq(workspaceId))
                .fetchOptional()
                .map(WorkspacePolicyRepository::fromRow)
                .orElseGet(() -> WorkspacePolicy.defaultFor(workspaceId));
    }

    /** The policy in force, its row locked until the transaction ends. */
    static Optional<WorkspacePolicy> lockCurrent(DSLContext tx, String workspaceId) {
        return tx.selectFrom(WORKSPACE_POLICIES)
                .where(WORKSPACE_POLICIES.WORKSPACE_ID.eq(workspaceId))
                .forUpdate()
                .fetchOptional()
                .map(WorkspacePolicyRepository::fromRow);
    }

    /** The policy as it was at {@code version}. */
    static WorkspacePolicy atVersion(DSLContext tx, String workspaceId, long version) {
        if (version == 0) {
            return WorkspacePolicy.defaultFor(workspaceId);
        }
        WorkspacePolicyVersionsRecord row = tx.selectFrom(WORKSPACE_POLICY_VERSIONS)
                .where(WORKSPACE_POLICY_VERSIONS.WORKSPACE_ID.eq(workspaceId))
                .and(WORKSPACE_POLICY_VERSIONS.VERSION.eq(version))
                .fetchSingle();
        // A version row has the columns of the row in force, by name: one mapping serves both.
        return fromRow(row.into(WORKSPACE_POLICIES));
    }

    /**
     * Writes a new version: the row in force and its history entry. Returns false when another
     * transaction created the workspace's first version concurrently (the caller retries).
     */
    static boolean save(DSLContext tx, WorkspacePolicy policy, boolean first) {
        OffsetDateTime at = OffsetDateTime.ofInstant(policy.updatedAt().orElseThrow(), ZoneOffset.UTC);
        String reason = policy.reason().isEmpty() ? null : policy.reason();
        if (first) {
            int inserted = tx.insertInto(WORKSPACE_POLICIES)
                    .set(WORKSPACE_POLICIES.WORKSPACE_ID, policy.workspaceId())
                    .set(WORKSPACE_POLICIES.POLICY_MODE, policy.mode().word())
                    .set(WORKSPACE_POLICIES.VERSION, policy.version())
                    .set(WORKSPACE_POLICIES.REASON, reason)
                    .set(WORKSPACE_POLICIES.UPDATED_AT, at)
                    .set(WORKSPACE_POLICIES.UPDATED_BY, policy.updatedBy())
                    .onConflictDoNothing()
                    .execute();
            if (inserted == 0) {
                return false;
            }
        } else {
            tx.update(WORKSPACE_POLICIES)
                    .set(WORKSPACE_POLICIES.POLICY_MODE, policy.mode().word())
                    .set(WORKSPACE_POLICIES.VERSION, policy.version())
                    .set(WORKSPACE_POLICIES.REASON, reason)
                    .set(WORKSPACE_POLICIES.UPDATED_AT, at)
                    .set(WORKSPACE_POLICIES.UPDATED_BY, policy.updatedBy())
                    .where(WORKSPACE_POLICIES.WORKSPACE_ID.eq(policy.workspaceId()))
                    .execute();
        }
        tx.insertInto(WORKSPACE_POLICY_VERSIONS)
                .set(WORKSPACE_POLICY_VERSIONS.WORKSPACE_ID, policy.workspaceId())
                .set(WORKSPACE_POLICY_VERSIONS.VERSION, policy.version())
                .set(WORKSPACE_POLICY_VERSIONS.POLICY_MODE, policy.mode().word())
                .set(WORKSPACE_POLICY_VERSIONS.REASON, reason)
                .set(WORKSPACE_POLICY_VERSIONS.UPDATED_AT, at)
                .set(WORKSPACE_POLICY_VERSIONS.UPDATED_BY, policy.updatedBy())
                .execute();
        return true;
    }

    private static WorkspacePolicy fromRow(WorkspacePoliciesRecord row) {
        return new WorkspacePolicy(row.getWorkspaceId(), Vocabulary.fromWord(PolicyMode.class, row.getPolicyMode()),
                row.getVersion(), Objects.requireNonNullElse(row.getReason(), ""), Optional.of(row.getUpdatedAt().toInstant()),
                row.getUpdatedBy());
    }
}
