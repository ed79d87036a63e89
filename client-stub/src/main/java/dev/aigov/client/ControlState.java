package dev.aigov.client;

/** ControlState is the state of the {@code ai.execution} control at one scope. */
public enum ControlState {
    /** AI work may proceed, subject to policy. The initial state. */
    ENABLED,
    /** All AI work in the control's scope is stopped. Pausing needs a reason. */
    PAUSED,
    /** A state a newer server named that this client version does not know. Cannot be set. */
    UNRECOGNIZED
}
