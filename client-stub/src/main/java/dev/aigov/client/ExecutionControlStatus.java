package dev.aigov.client;

/**
 * ExecutionControlStatus is the {@code ai.execution} control at one scope and the state in effect
 * there.
 *
 * @param control the control set at the scope
 * @param effectiveState the state in effect: for a workspace, PAUSED when either the global control
 *     or the workspace's own is paused
 */
public record ExecutionControlStatus(ExecutionControl control, ControlState effectiveState) {
}
