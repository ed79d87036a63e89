package dev.aigov.server.identity;

import dev.aigov.server.error.PermissionDenied;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling: a token's principal, its capabilities, and the workspaces its workspace-limited
 * capabilities reach (empty: every workspace).
 */
public record Principal(UUID id, String name, Set<Capability> capabilities, Optional<Set<String>> workspaces) {

    public Principal {
        capabilities = Set.copyOf(capabilities);
        workspaces = workspaces.map(Set::copyOf);
    }

    /** Throws unless the principal holds {@code capability}. */
    public void require(Capability capability) {
        if (capabilities.stream().noneMatch(held -> held.grants(capability))) {
            throw PermissionDenied.missingCapability(name, capability.key());
        }
    }

    /** Throws unless the principal holds {@code capability} for {@code workspaceId} (named by {@code field}). */
    public void require(Capability capability, String field, String workspaceId) {
        require(capability);
        if (!reaches(workspaceId)) {
            throw PermissionDenied.workspaceNotPermitted(name, capability.key(), field, workspaceId);
        }
    }

    /** Whether the principal's workspace-limited capabilities reach this workspace. */
    public boolean reaches(String workspaceId) {
        return workspaces.map(allowed -> allowed.contains(workspaceId)).orElse(true);
    }
}
