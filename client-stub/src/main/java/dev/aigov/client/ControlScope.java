package dev.aigov.client;

import java.util.Objects;

/**
 * ControlScope is where an execution control applies: everywhere, or one workspace. A workspace is
 * paused when either the global control or its own is paused.
 *
 * @param workspaceId the workspace; empty for the global scope
 */
public record ControlScope(String workspaceId) {

    /** Checks that the id is given (empty for global). */
    public ControlScope {
        Objects.requireNonNull(workspaceId, "workspaceId");
    }

    /** Every workspace at once. */
    public static ControlScope global() {
        return new ControlScope("");
    }

    /** One workspace. */
    public static ControlScope workspace(String workspaceId) {
        if (workspaceId.isEmpty()) {
            throw new IllegalArgumentException("a workspace scope needs a workspace id; use global()");
        }
        return new ControlScope(workspaceId);
    }

    /** True for the global scope. */
    public boolean isGlobal() {
        return workspaceId.isEmpty();
    }

    @Override
    public String toString() {
        return isGlobal() ? "global" : "workspace " + workspaceId;
    }
}
