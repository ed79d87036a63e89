package dev.aigov.core;

/** The state of {@code ai.execution} at one scope; version 0 means never changed (enabled). */
public record ControlStatus(ControlState state, long version) {
    public static final ControlStatus NEVER_CHANGED = new ControlStatus(ControlState.ENABLED, 0);

    public boolean paused() {
        return state == ControlState.PAUSED;
    }
}
