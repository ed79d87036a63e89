package dev.aigov.server.control;

import dev.aigov.core.ControlState;
import dev.aigov.core.ControlStatus;
import dev.aigov.server.change.VersionedChange;

import java.time.Instant;
import java.util.Optional;

/**
 * An execution control at one scope, as set by one change. {@code workspaceId} is empty for the
 * global scope. Version 0 is a scope never changed: enabled, set by nobody.
 */
public record ExecutionControl(String controlKey, String workspaceId, ControlState state, String reason, long version,
        Optional<Instant> changedAt, String changedBy) implements VersionedChange.Versioned {

    /** The only control this version knows. */
    public static final String AI_EXECUTION = "ai.execution";

    public static ExecutionControl neverChanged(String controlKey, String workspaceId) {
        return new ExecutionControl(controlKey, workspaceId, ControlState.ENABLED, "", 0, Optional.empty(), "");
    }

    public boolean global() {
        return workspaceId.isEmpty();
    }

    public ControlStatus status() {
        return new ControlStatus(state, version);
    }
}
