package dev.aigov.server.grpc;

import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.ListUseCasesResponse;
import dev.aigov.api.v1.UseCase;
import dev.aigov.core.Actor;
import dev.aigov.core.DataClassification;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.InvalidRequest;
import dev.aigov.server.evaluation.DecisionService;
import dev.aigov.server.evaluation.RecordedDecision;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.Principal;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** DecisionService over gRPC: proto to domain and back, nothing else. */
public final class DecisionGrpcService extends DecisionServiceGrpc.DecisionServiceImplBase {
    private final DecisionService decisions;
    private final DecisionObserver observer;

    public DecisionGrpcService(DecisionService decisions) {
        this(decisions, DecisionObserver.NONE);
    }

    public DecisionGrpcService(DecisionService decisions, DecisionObserver observer) {
        this.decisions = decisions;
        this.observer = observer;
    }

    @Override
    public void evaluateAiRequest(EvaluateAiRequestRequest request, StreamObserver<EvaluateAiRequestResponse> observer) {
        DecisionObserver.Observation observation = this.observer.started();
        Calls.unaryAsync("EvaluateAiRequest", observer, () -> {
            Principal principal = AuthInterceptor.currentPrincipal();
            DecisionRequest domain = toDomain(request);
            principal.requireReach(Capability.AI_DECISIONS_EVALUATE, "workspace_id", domain.workspaceId());
            byte[] fingerprint = DecisionService.fingerprint(principal.id(), domain);
            // A call whose deadline passes while it waits for the audit writer costs no database work.
            io.grpc.Context call = io.grpc.Context.current();
            CompletableFuture<RecordedDecision> recorded;
            try {
                recorded = decisions.evaluate(principal.name(), fingerprint, domain, call::isCancelled);
            } catch (RuntimeException failure) {
                recorded = CompletableFuture.failedFuture(failure);
            }
            return recorded.whenComplete((decision, failure) -> {
                if (failure == null) {
                    observation.decided(domain, decision);
                } else {
                    observation.failed(failure);
                }
            }).thenApply(decision -> EvaluateAiRequestResponse.newBuilder().setDecision(toProto(decision)).build());
        });
    }

    @Override
    public void listUseCases(ListUseCasesRequest request, StreamObserver<ListUseCasesResponse> observer) {
        Calls.unary("ListUseCases", observer, () -> {
            // One catalog for the whole answer: a reload meanwhile does not mix two.
            dev.aigov.core.Catalog catalog = decisions.catalog();
            ListUseCasesResponse.Builder response = ListUseCasesResponse.newBuilder()
                    .setCatalog(ProtoMapping.catalogVersion(catalog.version()));
            for (dev.aigov.core.UseCase useCase : catalog.useCases()) {
                UseCase.Builder proto = UseCase.newBuilder()
                        .setKey(useCase.key())
                        .setSourceFamily(useCase.sourceFamily())
                        .setTenantContextPermitted(useCase.tenantContextPermitted())
                        .setDescription(useCase.description());
                useCase.providerClasses().stream().sorted().map(ProtoMapping::providerClass).forEach(proto::addProviderClasses);
                useCase.dataClassifications().stream().sorted().map(ProtoMapping::classification).forEach(proto::addDataClassifications);
                response.addUseCases(proto);
            }
            return response.build();
        });
    }

    static DecisionRequest toDomain(EvaluateAiRequestRequest request) {
        List<DataClassification> classifications = new ArrayList<>();
        // The count first: an overlong list is reported as such, not by its first unknown value.
        DecisionRequest.requireClassificationCount(request.getDataClassificationsCount());
        for (int i = 0; i < request.getDataClassificationsCount(); i++) {
            classifications.add(ProtoMapping.classification(request.getDataClassifications(i), "data_classifications[" + i + "]"));
        }
        if (!request.hasActor()) {
            throw new InvalidRequest("actor", "is required: {\"id\": \"...\", \"kind\": \"ACTOR_KIND_USER\" or \"ACTOR_KIND_SERVICE\"}");
        }
        Actor actor = new Actor(request.getActor().getId(), ProtoMapping.actorKind(request.getActor().getKind(), "actor.kind"));
        return new DecisionRequest(request.getWorkspaceId(), request.getTenantId(), request.getUseCase(),
                ProtoMapping.providerClass(request.getProviderClass(), "provider_class"), classifications,
                request.getSourceFamily(), actor, request.getCallerSurface(), ProtoMapping.requestId(request.getRequestId()),
                ClientVersions.current());
    }

    static Decision toProto(RecordedDecision recorded) {
        dev.aigov.core.Decision decision = recorded.decision();
        Decision.Builder proto = Decision.newBuilder()
                .setDecisionId(recorded.decisionId().toString())
                .setOutcome(ProtoMapping.outcome(decision.outcome()))
                .setEffectivePolicyMode(ProtoMapping.policyMode(decision.effectivePolicyMode()))
                .setPolicyVersion(decision.policyVersion())
                .setExecutionState(ProtoMapping.controlState(decision.executionState()))
                .setControlVersion(decision.controlVersion())
                .setMessage(decision.message())
                .setEvaluatedAt(ProtoMapping.timestamp(recorded.evaluatedAt()))
                .setAuditEventId(recorded.auditEventId().toString());
        decision.reason().map(ProtoMapping::blockReason).ifPresent(proto::setReason);
        decision.allReasons().stream().map(ProtoMapping::blockReason).forEach(proto::addAllReasons);
        decision.rejectedClassifications().stream().map(ProtoMapping::classification).forEach(proto::addRejectedClassifications);
        decision.catalog().map(ProtoMapping::catalogVersion).ifPresent(proto::setCatalog);
        decision.permittedProviderClasses().stream().map(ProtoMapping::providerClass).forEach(proto::addPermittedProviderClasses);
        decision.permittedDataClassifications().stream().map(ProtoMapping::classification)
                .forEach(proto::addPermittedDataClassifications);
        recorded.receipt().map(ProtoMapping::receipt).ifPresent(proto::setReceipt);
        return proto.build();
    }
}
