package dev.aigov.server.snapshot;

import dev.aigov.server.control.ExecutionControl;
import dev.aigov.server.control.ExecutionControlRepository;
import dev.aigov.server.decision.Snapshot;
import dev.aigov.server.decision.SnapshotSource;
import dev.aigov.server.policy.WorkspacePolicyRepository;
import dev.aigov.server.storage.Transactions;
import org.jooq.DSLContext;

import java.util.List;

/** Reads the controls and the policy from the database on every call: always current, never cached. */
public final class DatabaseSnapshotSource implements SnapshotSource {
    private final DSLContext dsl;

    public DatabaseSnapshotSource(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public Snapshot snapshotFor(String workspaceId) {
        return Transactions.read(dsl, "reading the decision state", ctx -> {
            List<ExecutionControl> controls = ExecutionControlRepository.globalAndWorkspace(ctx, ExecutionControl.AI_EXECUTION, workspaceId);
            return new Snapshot(controls.get(0).status(), controls.get(1).status(),
                    WorkspacePolicyRepository.current(ctx, workspaceId).status());
        });
    }
}
