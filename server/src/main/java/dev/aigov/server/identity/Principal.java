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

    /** Whether the principal holds {@code capability}, or one that grants it. */
    public boolean holds(Capability capability) {
        for (Capability held : capabilities) {
            if (held.grants(capability)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Throws unless the principal's {@code capability} reaches {@code workspaceId} (named by {@code
     * field}). Whether it holds the capability at all was checked when the call came in, from the one
     * table of which method needs which capability; the workspace is known only to the service.
     */
    public void requireReach(Capability capability, String field, String workspaceId) {
        if (!reaches(workspaceId)) {
            throw PermissionDenied.workspaceNotPermitted(name, capability.key(), field, workspaceId);
        }
    }

    /** Whether the principal's workspace-limited capabilities reach this workspace. */
    public boolean reaches(String workspaceId) {
        return workspaces.map(allowed -> allowed.contains(workspaceId)).orElse(true);
    }
}
