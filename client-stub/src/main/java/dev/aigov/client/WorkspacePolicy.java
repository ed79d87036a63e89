package dev.aigov.client;

import java.time.Instant;
import java.util.Optional;

/**
 * WorkspacePolicy is one workspace's AI policy as the server holds it.
 *
 * @param workspaceId the workspace
 * @param mode the mode in force
 * @param version counts the changes of this policy; 0 means never set
 * @param isDefault true when the workspace never set a policy and the default (disabled) applies
 * @param reason the reason given with the change in force; empty when none
 * @param updatedBy the principal (token name) that set it; empty when default
 * @param updatedAt when it was set; empty when default
 */
public record WorkspacePolicy(
        String workspaceId,
        PolicyMode mode,
        long version,
        boolean isDefault,
        String reason,
        String updatedBy,
        Optional<Instant> updatedAt) {
}
