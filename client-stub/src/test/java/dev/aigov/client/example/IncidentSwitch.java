package dev.aigov.client.example;

import dev.aigov.client.AiGovernanceAdmin;
import dev.aigov.client.AiGovernanceClient;
import dev.aigov.client.AiGovernanceException;
import dev.aigov.client.ControlScope;
import dev.aigov.client.ControlState;
import dev.aigov.client.ErrorReason;

/** Pauses AI work for one workspace during an incident, and resumes it afterwards. */
public final class IncidentSwitch {

    private final AiGovernanceAdmin admin;

    /** Takes a client built with an operator token (ops.controls.view and ops.controls.manage). */
    public IncidentSwitch(AiGovernanceClient operatorClient) {
        this.admin = operatorClient.admin();
    }

    /** Pauses the workspace; returns the control's version, to resume exactly this pause. */
    public long pause(String workspaceId, String incident) {
        return admin.pause(ControlScope.workspace(workspaceId), "incident " + incident).control().version();
    }

    /** Resumes the workspace (no reason needed), unless someone changed the control since this pause. */
    public boolean resume(String workspaceId, long pausedVersion) {
        try {
            admin.resume(ControlScope.workspace(workspaceId), pausedVersion);
            return true;
        } catch (AiGovernanceException e) {
            if (e.failure().errorReason() == ErrorReason.VERSION_CONFLICT) {
                return false;
            }
            throw e;
        }
    }

    /** True when AI work is paused for the workspace, by its own control or the global one. */
    public boolean isPaused(String workspaceId) {
        return admin.getExecutionControl(ControlScope.workspace(workspaceId)).effectiveState() == ControlState.PAUSED;
    }
}
