package dev.aigov.server.policy;

import dev.aigov.core.PolicyMode;
import dev.aigov.core.PolicyStatus;
import dev.aigov.server.change.VersionedChange;

import java.time.Instant;
import java.util.Optional;

/**
 * A workspace's AI policy. Version 0 is the default a workspace has until it sets one: disabled,
 * set by nobody.
 */
public record WorkspacePolicy(String workspaceId, PolicyMode mode, long version, String reason,
        Optional<Instant> updatedAt, String updatedBy) implements VersionedChange.Versioned {

    public static WorkspacePolicy defaultFor(String workspaceId) {
        return new WorkspacePolicy(workspaceId, PolicyMode.DISABLED, 0, "", Optional.empty(), "");
    }

    public boolean isDefault() {
        return version == 0;
    }

    public PolicyStatus status() {
        return new PolicyStatus(mode, version);
    }
}
