package dev.aigov.client;

/**
 * ExecutionControlChange is the result of pausing or resuming AI execution at one scope.
 *
 * @param control the control at the scope after the call
 * @param changed false when the requested state was already in force (no new version)
 */
public record ExecutionControlChange(ExecutionControl control, boolean changed) {
}
