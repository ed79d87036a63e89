package dev.aigov.client;

import java.util.Objects;
import java.util.Optional;

/**
 * ControlScope is where an execution control applies: everywhere ({@link #global()}), or one
 * workspace ({@link #workspace(String)}). A workspace is paused when either the global control or
 * its own is paused.
 *
 * <p>The only ways to get one are the two factories, so that a blank setting can never mean
 * "everywhere": {@code workspace("")} throws instead of pausing every workspace.
 */
public final class ControlScope {

    private static final ControlScope GLOBAL = new ControlScope(null);

    private final String workspaceId;

    private ControlScope(String workspaceId) {
        this.workspaceId = workspaceId;
    }

    /** Every workspace at once. */
    public static ControlScope global() {
        return GLOBAL;
    }

    /**
     * One workspace.
     *
     * @throws IllegalArgumentException if the id is empty or blank: use {@link #global()} to mean
     *     every workspace, on purpose
     * @throws NullPointerException if the id is null
     */
    public static ControlScope workspace(String workspaceId) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        if (workspaceId.isBlank()) {
            throw new IllegalArgumentException("a workspace scope needs a workspace id, not '" + workspaceId
                    + "'; use ControlScope.global() to mean every workspace");
        }
        return new ControlScope(workspaceId);
    }

    /** The workspace; empty for the global scope. */
    public Optional<String> workspaceId() {
        return Optional.ofNullable(workspaceId);
    }

    /** True for the global scope. */
    public boolean isGlobal() {
        return workspaceId == null;
    }

    /** The scope as the wire names it: the workspace id, or empty for global. */
    String wireId() {
        return workspaceId == null ? "" : workspaceId;
    }

    /** The scope the server named: an empty id is global. */
    static ControlScope fromWire(String workspaceId) {
        return workspaceId.isEmpty() ? GLOBAL : workspace(workspaceId);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ControlScope that && Objects.equals(workspaceId, that.workspaceId);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(workspaceId);
    }

    @Override
    public String toString() {
        return isGlobal() ? "global" : "workspace " + workspaceId;
    }
}
