package dev.aigov.server.identity;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a token may do. Each capability belongs to one plane; none spans the workspace plane and
 * the platform plane. Workspace-limited capabilities reach only the token's workspaces.
 */
public enum Capability {
    AI_DECISIONS_EVALUATE("ai.decisions.evaluate", Plane.DECISION), WORKSPACE_AI_POLICY_VIEW("workspace.ai_policy.view",
            Plane.WORKSPACE), WORKSPACE_AI_POLICY_MANAGE("workspace.ai_policy.manage", Plane.WORKSPACE), OPS_CONTROLS_VIEW(
                    "ops.controls.view",
                    Plane.PLATFORM), OPS_CONTROLS_MANAGE("ops.controls.manage", Plane.PLATFORM), AUDIT_READ("audit.read", Plane.AUDIT);

    /** Who a capability is for. Platform capabilities cannot be limited to workspaces. */
    public enum Plane {
        DECISION, WORKSPACE, PLATFORM, AUDIT
    }

    private final String key;
    private final Plane plane;

    Capability(String key, Plane plane) {
        this.key = key;
        this.plane = plane;
    }

    public String key() {
        return key;
    }

    public Plane plane() {
        return plane;
    }

    /** Whether holding this capability grants {@code other}: itself, and managing implies viewing. */
    public boolean grants(Capability other) {
        return this == other
                || (this == WORKSPACE_AI_POLICY_MANAGE && other == WORKSPACE_AI_POLICY_VIEW)
                || (this == OPS_CONTROLS_MANAGE && other == OPS_CONTROLS_VIEW);
    }

    public static Optional<Capability> fromKey(String key) {
        return Arrays.stream(values()).filter(capability -> capability.key.equals(key)).findFirst();
    }

    public static String allKeys() {
        return Arrays.stream(values()).map(Capability::key).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return key;
    }
}
