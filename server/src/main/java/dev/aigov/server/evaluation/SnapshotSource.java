package dev.aigov.server.evaluation;

import dev.aigov.core.Snapshot;
/**
 * Where decisions get their state from. The seam between the pure rules and however the state is
 * kept (read per call, or an in-memory snapshot kept current by the database).
 */
public interface SnapshotSource {
    /**
     * The state to decide a request for this workspace on.
     *
     * @throws dev.aigov.server.error.StateStale         when an in-memory state cannot be confirmed current
     * @throws dev.aigov.server.error.StorageUnavailable when the state cannot be read
     */
    Snapshot snapshotFor(String workspaceId);
}
