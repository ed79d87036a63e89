package dev.aigov.core;

/**
 * The state one decision is made on, for one workspace: the global and the workspace's
 * {@code ai.execution} control, the workspace's policy, and the version of the whole decision
 * state they were read at ({@link #UNVERSIONED} when read straight from the database).
 */
public record Snapshot(ControlStatus globalControl, ControlStatus workspaceControl, PolicyStatus policy, long stateVersion) {
    /** The state version of a snapshot read per call, not from a versioned in-memory state. */
    public static final long UNVERSIONED = -1;

    public Snapshot(ControlStatus globalControl, ControlStatus workspaceControl, PolicyStatus policy) {
        this(globalControl, workspaceControl, policy, UNVERSIONED);
    }

    public boolean paused() {
        return globalControl.paused() || workspaceControl.paused();
    }

    /**
     * The control that decides the execution state: the global one when it is paused (resuming the
     * workspace alone would not help), else the workspace's when it is paused, else the global one.
     */
    public ControlStatus decidingControl() {
        if (globalControl.paused()) {
            return globalControl;
        }
        return workspaceControl.paused() ? workspaceControl : globalControl;
    }

    /** Whether both snapshots hold the same controls and policy at the same versions, whatever their state versions. */
    public boolean sameRowsAs(Snapshot other) {
        return globalControl.equals(other.globalControl) && workspaceControl.equals(other.workspaceControl)
                && policy.equals(other.policy);
    }
}
