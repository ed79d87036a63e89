package dev.aigov.server.decision;

/**
 * The state one decision is made on, for one workspace: the global and the workspace's
 * {@code ai.execution} control, and the workspace's policy.
 */
public record Snapshot(ControlStatus globalControl, ControlStatus workspaceControl, PolicyStatus policy) {

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
}
