package dev.aigov.client;

import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.GetExecutionControlRequest;
import dev.aigov.api.v1.GetExecutionControlResponse;
import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetExecutionControlResponse;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.api.v1.SetWorkspacePolicyResponse;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import io.grpc.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * AiGovernanceAdmin holds the operator helpers: set and read a workspace's AI policy, pause, resume
 * and read AI execution. Get one from {@link AiGovernanceClient#admin()}; it shares the client's
 * channel, token, retries and load balancing, with its own deadline (the builder's
 * {@code adminDeadline}). The token needs the matching capabilities
 * ({@code workspace.ai_policy.manage}, {@code ops.controls.manage}, and their {@code view} forms).
 *
 * <p>Every change carries a fresh request id, which the client's automatic retries reuse, so a
 * retried change is applied at most once. A call that fails throws {@link AiGovernanceException}
 * with the status and the server's error reason. Thread-safe.
 */
public final class AiGovernanceAdmin {

    /** The only execution control aigov knows. */
    public static final String AI_EXECUTION = "ai.execution";

    private final WorkspacePolicyServiceGrpc.WorkspacePolicyServiceBlockingStub policies;
    private final ExecutionControlServiceGrpc.ExecutionControlServiceBlockingStub controls;
    private final Duration deadline;

    AiGovernanceAdmin(Channel channel, Duration deadline) {
        this.policies = WorkspacePolicyServiceGrpc.newBlockingStub(channel);
        this.controls = ExecutionControlServiceGrpc.newBlockingStub(channel);
        this.deadline = deadline;
    }

    /**
     * Sets a workspace's policy mode. Setting the mode already in force succeeds with
     * {@code changed() == false}.
     *
     * @param reason why, for the audit trail; may be empty
     * @throws AiGovernanceException if the change was not confirmed
     */
    public WorkspacePolicyChange setWorkspacePolicy(String workspaceId, PolicyMode mode, String reason) {
        return setWorkspacePolicy(workspaceId, mode, reason, null);
    }

    /**
     * Sets a workspace's policy mode only if its current version is {@code expectedVersion} (0 for a
     * workspace that never set one); otherwise fails with {@code ABORTED} and changes nothing.
     *
     * @throws AiGovernanceException if the change was not confirmed
     */
    public WorkspacePolicyChange setWorkspacePolicy(
            String workspaceId, PolicyMode mode, String reason, long expectedVersion) {
        return setWorkspacePolicy(workspaceId, mode, reason, Long.valueOf(expectedVersion));
    }

    private WorkspacePolicyChange setWorkspacePolicy(
            String workspaceId, PolicyMode mode, String reason, Long expectedVersion) {
        SetWorkspacePolicyRequest.Builder request = SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspaceId)
                .setPolicyMode(ProtoMapping.toProto(mode))
                .setReason(Objects.requireNonNull(reason, "reason"))
                .setRequestId(UUID.randomUUID().toString());
        if (expectedVersion != null) {
            request.setExpectedVersion(expectedVersion);
        }
        SetWorkspacePolicyResponse response = call("SetWorkspacePolicy",
                () -> policies.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                        .setWorkspacePolicy(request.build()));
        requireAnswer("SetWorkspacePolicy", response.hasPolicy());
        return new WorkspacePolicyChange(toPolicy(response.getPolicy()), response.getChanged());
    }

    /**
     * Reads a workspace's effective policy; a workspace that never set one is disabled, at version 0,
     * with {@code isDefault() == true}.
     *
     * @throws AiGovernanceException if the call failed
     */
    public WorkspacePolicy getWorkspacePolicy(String workspaceId) {
        var response = call("GetWorkspacePolicy",
                () -> policies.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                        .getWorkspacePolicy(GetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspaceId).build()));
        requireAnswer("GetWorkspacePolicy", response.hasPolicy());
        return toPolicy(response.getPolicy());
    }

    /**
     * Pauses AI execution at a scope. Pausing the global scope stops every workspace.
     *
     * @param reason why, for the people who read the audit trail during the incident; required
     * @throws AiGovernanceException if the pause was not confirmed
     */
    public ExecutionControlChange pause(ControlScope scope, String reason) {
        return setExecutionControl(scope, ControlState.PAUSED, reason, null);
    }

    /**
     * Pauses AI execution at a scope only if the control's version there is {@code expectedVersion}.
     *
     * @throws AiGovernanceException if the pause was not confirmed ({@code ABORTED} when stale)
     */
    public ExecutionControlChange pause(ControlScope scope, String reason, long expectedVersion) {
        return setExecutionControl(scope, ControlState.PAUSED, reason, Long.valueOf(expectedVersion));
    }

    /**
     * Resumes AI execution at a scope. No reason is needed: a resume clears the pause's reason, and
     * the audit event records who resumed and when. Resuming a workspace does not lift a global pause.
     *
     * @throws AiGovernanceException if the resume was not confirmed
     */
    public ExecutionControlChange resume(ControlScope scope) {
        return setExecutionControl(scope, ControlState.ENABLED, "", null);
    }

    /**
     * Resumes AI execution at a scope only if the control's version there is {@code expectedVersion}
     * (for example the version the pause returned), so that a resume never lifts a newer pause.
     *
     * @throws AiGovernanceException if the resume was not confirmed ({@code ABORTED} when stale)
     */
    public ExecutionControlChange resume(ControlScope scope, long expectedVersion) {
        return setExecutionControl(scope, ControlState.ENABLED, "", Long.valueOf(expectedVersion));
    }

    /**
     * Pauses or resumes AI execution at a scope. A pause needs a reason; a resume clears the
     * control's reason (one given is recorded in the audit event only). Setting the state already in
     * force succeeds with {@code changed() == false}.
     *
     * @param reason why; required to pause, may be empty (or null) to resume
     * @throws AiGovernanceException if the change was not confirmed
     */
    public ExecutionControlChange setExecutionControl(ControlScope scope, ControlState state, String reason) {
        return setExecutionControl(scope, state, reason, null);
    }

    /**
     * Pauses or resumes AI execution at a scope only if the control's version there is
     * {@code expectedVersion} (0 if never changed); otherwise fails with {@code ABORTED}.
     *
     * @throws AiGovernanceException if the change was not confirmed
     */
    public ExecutionControlChange setExecutionControl(
            ControlScope scope, ControlState state, String reason, long expectedVersion) {
        return setExecutionControl(scope, state, reason, Long.valueOf(expectedVersion));
    }

    private ExecutionControlChange setExecutionControl(
            ControlScope scope, ControlState state, String reason, Long expectedVersion) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(state, "state");
        SetExecutionControlRequest.Builder request = SetExecutionControlRequest.newBuilder()
                .setControlKey(AI_EXECUTION)
                .setWorkspaceId(scope.wireId())
                .setState(ProtoMapping.toProto(state))
                .setReason(reason == null ? "" : reason)
                .setRequestId(UUID.randomUUID().toString());
        if (expectedVersion != null) {
            request.setExpectedVersion(expectedVersion);
        }
        SetExecutionControlResponse response = call("SetExecutionControl",
                () -> controls.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                        .setExecutionControl(request.build()));
        requireAnswer("SetExecutionControl", response.hasControl());
        return new ExecutionControlChange(toControl(response.getControl()), response.getChanged());
    }

    /**
     * Reads AI execution at a scope, and the state in effect there.
     *
     * @throws AiGovernanceException if the call failed
     */
    public ExecutionControlStatus getExecutionControl(ControlScope scope) {
        GetExecutionControlResponse response = call("GetExecutionControl",
                () -> controls.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                        .getExecutionControl(GetExecutionControlRequest.newBuilder()
                                .setControlKey(AI_EXECUTION)
                                .setWorkspaceId(scope.wireId())
                                .build()));
        requireAnswer("GetExecutionControl", response.hasControl());
        return new ExecutionControlStatus(
                toControl(response.getControl()), ProtoMapping.fromProto(response.getEffectiveState()));
    }

    private static <T> T call(String what, Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (RuntimeException e) {
            throw new AiGovernanceException(what, ProtoMapping.toFailure(e), e);
        }
    }

    private static void requireAnswer(String what, boolean present) {
        if (!present) {
            throw new AiGovernanceException(what, GovernanceFailure.untrusted("aigov answered without a result"));
        }
    }

    private static WorkspacePolicy toPolicy(dev.aigov.api.v1.WorkspacePolicy policy) {
        return new WorkspacePolicy(
                policy.getWorkspaceId(),
                ProtoMapping.fromProto(policy.getPolicyMode()),
                policy.getVersion(),
                policy.getIsDefault(),
                policy.getReason(),
                policy.getUpdatedBy(),
                policy.hasUpdatedAt() ? Optional.of(ProtoMapping.toInstant(policy.getUpdatedAt())) : Optional.empty());
    }

    private static ExecutionControl toControl(dev.aigov.api.v1.ExecutionControl control) {
        Optional<Instant> changedAt = control.hasChangedAt()
                ? Optional.of(ProtoMapping.toInstant(control.getChangedAt()))
                : Optional.empty();
        return new ExecutionControl(
                ControlScope.fromWire(control.getWorkspaceId()),
                ProtoMapping.fromProto(control.getState()),
                control.getReason(),
                control.getVersion(),
                control.getChangedBy(),
                changedAt);
    }
}
