package dev.aigov.client;

import java.time.Instant;

/**
 * DecisionBasis is the state the server decided on, as it reported it: which policy and which
 * execution control were in force, at which versions, and when.
 *
 * @param effectivePolicyMode the workspace's policy mode the decision used
 * @param policyVersion that policy's version; 0 for a workspace that never set one
 * @param executionState the effective state of {@code ai.execution} for the workspace
 * @param controlVersion the version of the control that decided the execution state; 0 if never changed
 * @param evaluatedAt when the decision was made; the epoch if the server did not say
 */
public record DecisionBasis(
        PolicyMode effectivePolicyMode,
        long policyVersion,
        ControlState executionState,
        long controlVersion,
        Instant evaluatedAt) implements java.io.Serializable {
}
