package dev.aigov.server.error;

import java.util.Map;

/** The credential is valid but lacks the capability, or the capability does not reach the workspace. */
public final class PermissionDenied extends AigovException {
    private final String capability;
    private final String workspaceField;

    private PermissionDenied(String message, String capability, String workspaceField) {
        super(message);
        this.capability = capability;
        this.workspaceField = workspaceField;
    }

    public static PermissionDenied missingCapability(String principal, String capability) {
        return new PermissionDenied("token '" + principal + "' lacks the capability " + capability, capability, null);
    }

    public static PermissionDenied workspaceNotPermitted(String principal, String capability, String field, String workspace) {
        return new PermissionDenied("token '" + principal + "' has " + capability + " only for other workspaces, not for "
                + field + " '" + workspace + "'", capability, field);
    }

    public String capability() {
        return capability;
    }

    /** True when the capability is held but limited to other workspaces. */
    public boolean workspaceNotPermitted() {
        return workspaceField != null;
    }

    @Override
    public Map<String, String> metadata() {
        return workspaceField == null
                ? Map.of("capability", capability)
                : Map.of("capability", capability, "field", workspaceField);
    }
}
