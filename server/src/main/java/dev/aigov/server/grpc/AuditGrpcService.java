package dev.aigov.server.grpc;

import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.AuditEventKind;
import dev.aigov.api.v1.AuditServiceGrpc;
import dev.aigov.api.v1.ChangePreviewAudit;
import dev.aigov.api.v1.ControlChangeAudit;
import dev.aigov.api.v1.DecisionAudit;
import dev.aigov.api.v1.DeniedMutationAudit;
import dev.aigov.api.v1.ExportAuditEventsRequest;
import dev.aigov.api.v1.ExportAuditEventsResponse;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.ListAuditEventsResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyChangeAudit;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.InvalidRequest;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditQuery;
import dev.aigov.server.audit.AuditTrail;
import dev.aigov.server.error.CallerGone;
import dev.aigov.server.evidence.AuditExporter;
import dev.aigov.server.identity.Principal;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;

/** AuditService over gRPC: proto to domain and back, nothing else. */
public final class AuditGrpcService extends AuditServiceGrpc.AuditServiceImplBase {
    private final AuditTrail trail;
    private final AuditExporter exporter;

    public AuditGrpcService(AuditTrail trail, AuditExporter exporter) {
        this.trail = trail;
        this.exporter = exporter;
    }

    /**
     * Streams the export as fast as the client reads it and no faster: records are read from the
     * database a page at a time and sent only while the transport is ready (isReady / onReady), so a
     * slow reader holds one page in memory, not the trail. Each checkpoint carries the cursor that
     * resumes after it.
     */
    @Override
    public void exportAuditEvents(ExportAuditEventsRequest request, StreamObserver<ExportAuditEventsResponse> observer) {
        String method = "ExportAuditEvents";
        ServerCallStreamObserver<ExportAuditEventsResponse> call = (ServerCallStreamObserver<ExportAuditEventsResponse>) observer;
        AuditExporter.Export export;
        try {
            if (io.grpc.Context.current().isCancelled()) {
                throw new CallerGone(CallerGone.Stage.SERVING);
            }
            Principal reader = AuthInterceptor.currentPrincipal();
            export = exporter.open(new AuditExporter.Selection(reader.id(), reader.workspaces(),
                    request.hasStartTime() ? Optional.of(ProtoMapping.instant(request.getStartTime(), "start_time")) : Optional.empty(),
                    request.hasEndTime() ? Optional.of(ProtoMapping.instant(request.getEndTime(), "end_time")) : Optional.empty(),
                    request.getCursor()));
        } catch (RuntimeException failure) {
            Calls.fail(method, observer, failure);
            return;
        }
        // Without a cancel handler a send after the client left would throw; with one, the loop below sees it.
        call.setOnCancelHandler(() -> {
        });
        call.setOnReadyHandler(new Runnable() {
            // onReady runs serialised per call (grpc-java): never two of these at once.
            private boolean finished;

            @Override
            public void run() {
                if (finished) {
                    return;
                }
                try {
                    while (call.isReady()) {
                        if (call.isCancelled()) {
                            finished = true;
                            return;
                        }
                        Optional<ExportAuditEventsResponse> next = export.next();
                        if (next.isEmpty()) {
                            finished = true;
                            call.onCompleted();
                            return;
                        }
                        call.onNext(next.get());
                    }
                } catch (RuntimeException failure) {
                    finished = true;
                    Calls.fail(method, observer, failure);
                }
            }
        });
    }

    @Override
    public void listAuditEvents(ListAuditEventsRequest request, StreamObserver<ListAuditEventsResponse> observer) {
        Calls.unary("ListAuditEvents", observer, () -> {
            AuditTrail.Filter filter = new AuditTrail.Filter(
                    Optional.of(request.getWorkspaceId()).filter(ws -> !ws.isEmpty()),
                    kind(request.getKind()),
                    outcome(request.getOutcome()),
                    request.hasStartTime() ? Optional.of(ProtoMapping.instant(request.getStartTime(), "start_time")) : Optional.empty(),
                    request.hasEndTime() ? Optional.of(ProtoMapping.instant(request.getEndTime(), "end_time")) : Optional.empty());
            AuditTrail.Page page = trail.list(AuthInterceptor.currentPrincipal(), filter, request.getPageSize(), request.getPageToken());
            ListAuditEventsResponse.Builder response = ListAuditEventsResponse.newBuilder().setNextPageToken(page.nextPageToken());
            page.events().forEach(event -> response.addEvents(toProto(event)));
            return response.build();
        });
    }

    private static Optional<AuditQuery.Kind> kind(AuditEventKind kind) {
        if (kind == AuditEventKind.UNRECOGNIZED) {
            throw new InvalidRequest("kind", "has an unknown value");
        }
        return kind == AuditEventKind.AUDIT_EVENT_KIND_UNSPECIFIED ? Optional.empty()
                : Optional.of(AuditQuery.Kind.valueOf(kind.name().substring("AUDIT_EVENT_KIND_".length())));
    }

    private static Optional<dev.aigov.core.Outcome> outcome(Outcome outcome) {
        return outcome == Outcome.OUTCOME_UNSPECIFIED ? Optional.empty()
                : Optional.of(ProtoMapping.toDomain(dev.aigov.core.Outcome.class, outcome, "OUTCOME_", "outcome"));
    }

    static dev.aigov.api.v1.AuditEvent toProto(AuditEvent event) {
        AuditEvent.Header header = event.header();
        dev.aigov.api.v1.AuditEvent.Builder proto = dev.aigov.api.v1.AuditEvent.newBuilder()
                .setEventId(header.eventId().toString())
                .setOccurredAt(ProtoMapping.timestamp(header.occurredAt()))
                .setWorkspaceId(header.workspaceId())
                .setPrincipal(header.principal())
                .setRequestId(header.requestId().map(Object::toString).orElse(""));
        switch (event) {
            case AuditEvent.DecisionMade made -> {
                DecisionRequest request = made.request();
                Decision decision = made.decision();
                DecisionAudit.Builder details = DecisionAudit.newBuilder()
                        .setDecisionId(made.decisionId().toString())
                        .setUseCase(request.useCase())
                        .setProviderClass(ProtoMapping.providerClass(request.providerClass()))
                        .setSourceFamily(request.sourceFamily())
                        .setOutcome(ProtoMapping.outcome(decision.outcome()))
                        .setEffectivePolicyMode(ProtoMapping.policyMode(decision.effectivePolicyMode()))
                        .setPolicyVersion(decision.policyVersion())
                        .setExecutionState(ProtoMapping.controlState(decision.executionState()))
                        .setControlVersion(decision.controlVersion())
                        .setClientVersion(request.clientVersion());
                request.dataClassifications().stream().map(ProtoMapping::classification).forEach(details::addDataClassifications);
                decision.reason().map(ProtoMapping::blockReason).ifPresent(details::setReason);
                decision.allReasons().stream().map(ProtoMapping::blockReason).forEach(details::addAllReasons);
                decision.rejectedClassifications().stream().map(ProtoMapping::classification).forEach(details::addRejectedClassifications);
                decision.catalog().map(ProtoMapping::catalogVersion).ifPresent(details::setCatalog);
                proto.setKind(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION)
                        .setTenantId(request.tenantId())
                        .setActor(Actor.newBuilder().setId(request.actor().id()).setKind(ProtoMapping.actorKind(request.actor().kind())))
                        .setCallerSurface(request.callerSurface())
                        .setDecision(details);
            }
            case AuditEvent.PolicySet set -> proto.setKind(AuditEventKind.AUDIT_EVENT_KIND_WORKSPACE_POLICY_SET)
                    .setPolicyChange(PolicyChangeAudit.newBuilder()
                            .setBeforeMode(ProtoMapping.policyMode(set.before().mode()))
                            .setBeforeVersion(set.before().version())
                            .setAfterMode(ProtoMapping.policyMode(set.after().mode()))
                            .setAfterVersion(set.after().version())
                            .setChanged(set.changed())
                            .setReason(set.reason()));
            case AuditEvent.ControlSet set -> proto.setKind(AuditEventKind.AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET)
                    .setControlChange(ControlChangeAudit.newBuilder()
                            .setControlKey(set.controlKey())
                            .setBeforeState(ProtoMapping.controlState(set.before()))
                            .setAfterState(ProtoMapping.controlState(set.after()))
                            .setVersion(set.version())
                            .setChanged(set.changed())
                            .setReason(set.reason()));
            case AuditEvent.MutationDenied denied -> {
                DeniedMutationAudit.Builder details = DeniedMutationAudit.newBuilder()
                        .setMethod(denied.method())
                        .setStatusCode(denied.statusCode())
                        .setErrorReason(denied.errorReason())
                        .setCapability(denied.capability())
                        .setPeer(denied.peer())
                        .setRepeatCount(denied.repeatCount());
                denied.firstOccurredAt().map(ProtoMapping::timestamp).ifPresent(details::setFirstOccurredAt);
                denied.lastOccurredAt().map(ProtoMapping::timestamp).ifPresent(details::setLastOccurredAt);
                proto.setKind(AuditEventKind.AUDIT_EVENT_KIND_MUTATION_DENIED).setDeniedMutation(details);
            }
            case AuditEvent.ChangePreviewed preview -> {
                ChangePreviewAudit.Builder details = ChangePreviewAudit.newBuilder()
                        .setMethod(preview.method())
                        .setControlKey(preview.controlKey())
                        .setWindowStart(ProtoMapping.timestamp(preview.windowStart()))
                        .setWindowEnd(ProtoMapping.timestamp(preview.windowEnd()))
                        .setDecisionsReplayed(preview.replayed())
                        .setAllowToBlock(preview.allowToBlock())
                        .setBlockToAllow(preview.blockToAllow())
                        .setCutShort(preview.cutShort());
                preview.candidateMode().map(ProtoMapping::policyMode).ifPresent(details::setCandidatePolicyMode);
                preview.candidateState().map(ProtoMapping::controlState).ifPresent(details::setCandidateState);
                proto.setKind(AuditEventKind.AUDIT_EVENT_KIND_CHANGE_PREVIEWED).setChangePreview(details);
            }
        }
        return proto.build();
    }
}
