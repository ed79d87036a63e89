package dev.aigov.server.grpc;

import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.GetExecutionControlRequest;
import dev.aigov.api.v1.GetExecutionControlResponse;
import dev.aigov.api.v1.ListExecutionControlHistoryRequest;
import dev.aigov.api.v1.ListExecutionControlHistoryResponse;
import dev.aigov.api.v1.PreviewExecutionControlChangeRequest;
import dev.aigov.api.v1.PreviewExecutionControlChangeResponse;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetExecutionControlResponse;
import dev.aigov.server.audit.DeniedMutations;
import dev.aigov.server.control.ExecutionControl;
import dev.aigov.server.control.ExecutionControlService;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.preview.ChangePreviews;
import io.grpc.stub.StreamObserver;

/** ExecutionControlService over gRPC: proto to domain and back, nothing else. */
public final class ExecutionControlGrpcService extends ExecutionControlServiceGrpc.ExecutionControlServiceImplBase {
    private final ExecutionControlService controls;
    private final DeniedMutations deniedMutations;
    private final ChangePreviews previews;

    public ExecutionControlGrpcService(ExecutionControlService controls, DeniedMutations deniedMutations, ChangePreviews previews) {
        this.controls = controls;
        this.deniedMutations = deniedMutations;
        this.previews = previews;
    }

    @Override
    public void setExecutionControl(SetExecutionControlRequest request, StreamObserver<SetExecutionControlResponse> observer) {
        Principal principal = AuthInterceptor.currentPrincipal();
        Calls.mutation(ExecutionControlServiceGrpc.getSetExecutionControlMethod().getFullMethodName(), deniedMutations,
                principal, request.getWorkspaceId(), observer, () -> {
                    ExecutionControlService.ControlChange change = controls.set(principal, new ExecutionControlService.SetControl(
                            request.getControlKey(),
                            request.getWorkspaceId(),
                            ProtoMapping.controlState(request.getState(), "state"),
                            request.getReason(),
                            ProtoMapping.expectedVersion(request.hasExpectedVersion(), request.getExpectedVersion()),
                            ProtoMapping.requestId(request.getRequestId())));
                    return SetExecutionControlResponse.newBuilder()
                            .setControl(toProto(change.control()))
                            .setChanged(change.changed())
                            .build();
                });
    }

    @Override
    public void getExecutionControl(GetExecutionControlRequest request, StreamObserver<GetExecutionControlResponse> observer) {
        Calls.unary("GetExecutionControl", observer, () -> {
            Principal principal = AuthInterceptor.currentPrincipal();
            ExecutionControlService.ControlView view = controls.get(principal, request.getControlKey(), request.getWorkspaceId());
            return GetExecutionControlResponse.newBuilder()
                    .setControl(toProto(view.control()))
                    .setEffectiveState(ProtoMapping.controlState(view.effectiveState()))
                    .build();
        });
    }

    @Override
    public void listExecutionControlHistory(ListExecutionControlHistoryRequest request,
            StreamObserver<ListExecutionControlHistoryResponse> observer) {
        Calls.unary("ListExecutionControlHistory", observer, () -> {
            Principal principal = AuthInterceptor.currentPrincipal();
            ExecutionControlService.HistoryPage page = controls.history(principal,
                    request.getControlKey(), request.getWorkspaceId(), request.getPageSize(), request.getPageToken());
            ListExecutionControlHistoryResponse.Builder response = ListExecutionControlHistoryResponse.newBuilder()
                    .setNextPageToken(page.nextPageToken());
            page.changes().forEach(change -> response.addChanges(toProto(change)));
            return response.build();
        });
    }

    @Override
    public void previewExecutionControlChange(PreviewExecutionControlChangeRequest request,
            StreamObserver<PreviewExecutionControlChangeResponse> observer) {
        Calls.unary("PreviewExecutionControlChange", observer, () -> {
            Principal principal = AuthInterceptor.currentPrincipal();
            var candidate = ChangePreviews.controlCandidate(request.getControlKey(), request.getWorkspaceId(),
                    ProtoMapping.controlState(request.getState(), "state"));
            var preview = previews.previewControl(principal,
                    ExecutionControlServiceGrpc.getPreviewExecutionControlChangeMethod().getFullMethodName(), candidate,
                    PreviewMapping.since(request.hasSince(), request.getSince()), PreviewMapping.budget());
            return PreviewExecutionControlChangeResponse.newBuilder().setPreview(PreviewMapping.toProto(preview)).build();
        });
    }

    static dev.aigov.api.v1.ExecutionControl toProto(ExecutionControl control) {
        dev.aigov.api.v1.ExecutionControl.Builder proto = dev.aigov.api.v1.ExecutionControl.newBuilder()
                .setControlKey(control.controlKey())
                .setWorkspaceId(control.workspaceId())
                .setState(ProtoMapping.controlState(control.state()))
                .setReason(control.reason())
                .setVersion(control.version())
                .setChangedBy(control.changedBy());
        control.changedAt().map(ProtoMapping::timestamp).ifPresent(proto::setChangedAt);
        return proto.build();
    }
}
