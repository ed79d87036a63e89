package dev.aigov.server.grpc;

import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.GetWorkspacePolicyResponse;
import dev.aigov.api.v1.PreviewWorkspacePolicyChangeRequest;
import dev.aigov.api.v1.PreviewWorkspacePolicyChangeResponse;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.api.v1.SetWorkspacePolicyResponse;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import dev.aigov.server.audit.DeniedMutations;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.policy.WorkspacePolicy;
import dev.aigov.server.policy.WorkspacePolicyService;
import dev.aigov.server.preview.ChangePreviews;
import io.grpc.stub.StreamObserver;

/** WorkspacePolicyService over gRPC: proto to domain and back, nothing else. */
public final class WorkspacePolicyGrpcService extends WorkspacePolicyServiceGrpc.WorkspacePolicyServiceImplBase {
    private final WorkspacePolicyService policies;
    private final DeniedMutations deniedMutations;
    private final ChangePreviews previews;

    public WorkspacePolicyGrpcService(WorkspacePolicyService policies, DeniedMutations deniedMutations, ChangePreviews previews) {
        this.policies = policies;
        this.deniedMutations = deniedMutations;
        this.previews = previews;
    }

    @Override
    public void setWorkspacePolicy(SetWorkspacePolicyRequest request, StreamObserver<SetWorkspacePolicyResponse> observer) {
        Principal principal = AuthInterceptor.currentPrincipal();
        Calls.mutation(WorkspacePolicyServiceGrpc.getSetWorkspacePolicyMethod().getFullMethodName(), deniedMutations,
                principal, request.getWorkspaceId(), observer, () -> {
                    WorkspacePolicyService.PolicyChange change = policies.set(principal, new WorkspacePolicyService.SetPolicy(
                            request.getWorkspaceId(),
                            ProtoMapping.policyMode(request.getPolicyMode(), "policy_mode"),
                            ProtoMapping.expectedVersion(request.hasExpectedVersion(), request.getExpectedVersion()),
                            request.getReason(),
                            ProtoMapping.requestId(request.getRequestId())));
                    return SetWorkspacePolicyResponse.newBuilder()
                            .setPolicy(toProto(change.policy()))
                            .setChanged(change.changed())
                            .build();
                });
    }

    @Override
    public void getWorkspacePolicy(GetWorkspacePolicyRequest request, StreamObserver<GetWorkspacePolicyResponse> observer) {
        Calls.unary("GetWorkspacePolicy", observer, () -> {
            Principal principal = AuthInterceptor.currentPrincipal();
            return GetWorkspacePolicyResponse.newBuilder()
                    .setPolicy(toProto(policies.get(principal, request.getWorkspaceId())))
                    .build();
        });
    }

    @Override
    public void previewWorkspacePolicyChange(PreviewWorkspacePolicyChangeRequest request,
            StreamObserver<PreviewWorkspacePolicyChangeResponse> observer) {
        Calls.unary("PreviewWorkspacePolicyChange", observer, () -> {
            Principal principal = AuthInterceptor.currentPrincipal();
            var candidate = ChangePreviews.policyCandidate(request.getWorkspaceId(),
                    ProtoMapping.policyMode(request.getPolicyMode(), "policy_mode"));
            var preview = previews.previewPolicy(principal,
                    WorkspacePolicyServiceGrpc.getPreviewWorkspacePolicyChangeMethod().getFullMethodName(), candidate,
                    PreviewMapping.since(request.hasSince(), request.getSince()), PreviewMapping.budget());
            return PreviewWorkspacePolicyChangeResponse.newBuilder().setPreview(PreviewMapping.toProto(preview)).build();
        });
    }

    static dev.aigov.api.v1.WorkspacePolicy toProto(WorkspacePolicy policy) {
        dev.aigov.api.v1.WorkspacePolicy.Builder proto = dev.aigov.api.v1.WorkspacePolicy.newBuilder()
                .setWorkspaceId(policy.workspaceId())
                .setPolicyMode(ProtoMapping.policyMode(policy.mode()))
                .setVersion(policy.version())
                .setUpdatedBy(policy.updatedBy())
                .setIsDefault(policy.isDefault())
                .setReason(policy.reason());
        policy.updatedAt().map(ProtoMapping::timestamp).ifPresent(proto::setUpdatedAt);
        return proto.build();
    }
}
