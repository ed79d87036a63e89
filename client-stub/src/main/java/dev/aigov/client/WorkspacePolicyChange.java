package dev.aigov.client;

/**
 * WorkspacePolicyChange is the result of setting a workspace's policy.
 *
 * @param policy the policy in force after the call
 * @param changed false when the requested mode was already in force (no new version)
 */
public record WorkspacePolicyChange(WorkspacePolicy policy, boolean changed) {
}
