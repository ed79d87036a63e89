package dev.aigov.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one place that maps between this library's types and the aigov.v1 contract, and that decides
 * what counts as an allow. Values this client does not know read as UNRECOGNIZED, never as an allow.
 */
final class ProtoMapping {

    private ProtoMapping() {
    }

    static EvaluateAiRequestRequest toProto(AiRequest request, UUID requestId) {
        EvaluateAiRequestRequest.Builder proto = EvaluateAiRequestRequest.newBuilder()
                .setWorkspaceId(request.workspaceId())
                .setUseCase(request.useCase().key())
                .setProviderClass(toProto(request.providerClass()))
                .setSourceFamily(request.sourceFamily().name())
                .setActor(dev.aigov.api.v1.Actor.newBuilder()
                        .setId(request.actor().id())
                        .setKind(toProto(request.actor().kind())))
                .setRequestId(requestId.toString());
        request.dataClassifications().forEach(c -> proto.addDataClassifications(toProto(c)));
        request.tenantId().ifPresent(proto::setTenantId);
        request.callerSurface().ifPresent(proto::setCallerSurface);
        return proto.build();
    }

    /**
     * Reads an answer. An ALLOW is believed only when it is complete and consistent; any other
     * answer is a block, and one this client cannot read is the client's own block.
     */
    static AiDecision toDecision(EvaluateAiRequestResponse response, UUID requestId) {
        if (!response.hasDecision()) {
            return untrusted(requestId, "aigov answered without a decision", null, null);
        }
        dev.aigov.api.v1.Decision decision = response.getDecision();
        AiDecision mapped = withoutReceipt(decision, requestId);
        // The receipt goes with the server's ALLOW or BLOCK (and with the client's own block of an
        // ALLOW, so that the refused receipt can be seen); whether it proves anything is ReceiptCheck's.
        return decision.hasReceipt() ? mapped.withReceipt(toReceipt(decision.getReceipt())) : mapped;
    }

    /** The contract's receipt, as sent; verified later, or by a model gateway. */
    static dev.aigov.evidence.Receipt toReceipt(dev.aigov.api.v1.Receipt receipt) {
        return new dev.aigov.evidence.Receipt(receipt.getEvent().toByteArray(), receipt.getLeafIndex(),
                receipt.getInclusionPathList().stream().map(com.google.protobuf.ByteString::toByteArray).toList(),
                receipt.getCheckpoint());
    }

    private static AiDecision withoutReceipt(dev.aigov.api.v1.Decision decision, UUID requestId) {
        String decisionId = emptyToNull(decision.getDecisionId());
        String auditEventId = emptyToNull(decision.getAuditEventId());
        return switch (decision.getOutcome()) {
            case OUTCOME_ALLOW -> {
                if (decisionId == null || auditEventId == null) {
                    yield untrusted(requestId, "aigov answered ALLOW without a decision id or an audit event id",
                            decisionId, auditEventId);
                }
                if (decision.getReason() != dev.aigov.api.v1.BlockReason.BLOCK_REASON_UNSPECIFIED
                        || decision.getAllReasonsCount() > 0
                        || decision.getRejectedClassificationsCount() > 0) {
                    yield untrusted(requestId, "aigov answered ALLOW with block reasons", decisionId, auditEventId);
                }
                // An ALLOW is trusted only under a state this client knows permits one. A state it does not
                // know (a newer server's) is a block that names the upgrade; a known one that permits no
                // ALLOW is an answer that cannot be trusted.
                PolicyMode mode = fromProto(decision.getEffectivePolicyMode());
                ControlState state = fromProto(decision.getExecutionState());
                if (mode == PolicyMode.UNRECOGNIZED || state == ControlState.UNRECOGNIZED) {
                    yield AiDecision.failed(requestId, GovernanceFailure.clientOutdated("aigov answered ALLOW under "
                            + (mode == PolicyMode.UNRECOGNIZED
                                    ? "policy mode number " + decision.getEffectivePolicyModeValue()
                                    : "execution state number " + decision.getExecutionStateValue())
                            + ", which this client does not know, so it cannot check the ALLOW"), decisionId, auditEventId);
                }
                if (state != ControlState.ENABLED || mode != PolicyMode.PRIVATE_ONLY) {
                    yield untrusted(requestId, "aigov answered ALLOW under execution state " + state
                            + " and policy mode " + mode, decisionId, auditEventId);
                }
                yield AiDecision.allow(requestId, decisionId, auditEventId, decision.getMessage(), basis(decision));
            }
            case OUTCOME_BLOCK -> AiDecision.block(
                    requestId,
                    blockReasons(decision),
                    decision.getRejectedClassificationsList().stream().map(ProtoMapping::fromProto).toList(),
                    decisionId,
                    auditEventId,
                    decision.getMessage(),
                    basis(decision),
                    decision.getPermittedProviderClassesList().stream().map(ProtoMapping::fromProto).flatMap(java.util.Optional::stream)
                            .toList(),
                    // A classification this client does not know cannot be named in a request: left out.
                    decision.getPermittedDataClassificationsList().stream().map(ProtoMapping::fromProto)
                            .filter(c -> c != DataClassification.UNRECOGNIZED).toList());
            case OUTCOME_UNSPECIFIED -> untrusted(requestId, "aigov answered without an outcome", decisionId, auditEventId);
            default -> AiDecision.failed(requestId, GovernanceFailure.clientOutdated(
                    "aigov answered outcome number " + decision.getOutcomeValue() + ", which this client does not know"),
                    decisionId, auditEventId);
        };
    }

    /** The primary reason first, then the others, without repeats; never empty. */
    private static List<BlockReason> blockReasons(dev.aigov.api.v1.Decision decision) {
        List<BlockReason> reasons = new ArrayList<>();
        if (decision.getReason() != dev.aigov.api.v1.BlockReason.BLOCK_REASON_UNSPECIFIED) {
            reasons.add(fromProto(decision.getReason()));
        }
        for (dev.aigov.api.v1.BlockReason reason : decision.getAllReasonsList()) {
            BlockReason mapped = fromProto(reason);
            if (!reasons.contains(mapped)) {
                reasons.add(mapped);
            }
        }
        if (reasons.isEmpty()) {
            reasons.add(BlockReason.UNRECOGNIZED);
        }
        return reasons;
    }

    private static DecisionBasis basis(dev.aigov.api.v1.Decision decision) {
        return new DecisionBasis(
                fromProto(decision.getEffectivePolicyMode()),
                decision.getPolicyVersion(),
                fromProto(decision.getExecutionState()),
                decision.getControlVersion(),
                toInstant(decision.getEvaluatedAt()));
    }

    private static AiDecision untrusted(UUID requestId, String what, String decisionId, String auditEventId) {
        return AiDecision.failed(requestId, GovernanceFailure.untrusted(what), decisionId, auditEventId);
    }

    /** The failure of a call: its status, and the ErrorInfo the server attached, if any. */
    static GovernanceFailure toFailure(Throwable error) {
        Status status = Status.fromThrowable(error);
        StatusCode code = StatusCode.valueOf(status.getCode().name());
        String description = status.getDescription() == null ? "" : status.getDescription();
        if (code == StatusCode.OK) {
            // A call cannot fail with OK; a status-less throwable is UNKNOWN.
            code = StatusCode.UNKNOWN;
            description = String.valueOf(error);
        }
        com.google.rpc.Status details = StatusProto.fromThrowable(error);
        if (details != null) {
            for (com.google.protobuf.Any detail : details.getDetailsList()) {
                if (detail.is(ErrorInfo.class)) {
                    try {
                        ErrorInfo info = detail.unpack(ErrorInfo.class);
                        return GovernanceFailure.of(code, info.getReason(), info.getMetadataMap(), description);
                    } catch (InvalidProtocolBufferException e) {
                        break;
                    }
                }
            }
        }
        return GovernanceFailure.of(code, "", Map.of(), description);
    }

    static dev.aigov.api.v1.ProviderClass toProto(ProviderClass providerClass) {
        return switch (providerClass) {
            case LOCAL_PRIVATE -> dev.aigov.api.v1.ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE;
            case EXTERNAL_PUBLIC -> dev.aigov.api.v1.ProviderClass.PROVIDER_CLASS_EXTERNAL_PUBLIC;
        };
    }

    /** A provider class a newer server named that this client does not know is left out. */
    static java.util.Optional<ProviderClass> fromProto(dev.aigov.api.v1.ProviderClass providerClass) {
        return switch (providerClass) {
            case PROVIDER_CLASS_LOCAL_PRIVATE -> java.util.Optional.of(ProviderClass.LOCAL_PRIVATE);
            case PROVIDER_CLASS_EXTERNAL_PUBLIC -> java.util.Optional.of(ProviderClass.EXTERNAL_PUBLIC);
            default -> java.util.Optional.empty();
        };
    }

    static dev.aigov.api.v1.ActorKind toProto(ActorKind kind) {
        return switch (kind) {
            case USER -> dev.aigov.api.v1.ActorKind.ACTOR_KIND_USER;
            case SERVICE -> dev.aigov.api.v1.ActorKind.ACTOR_KIND_SERVICE;
        };
    }

    static dev.aigov.api.v1.DataClassification toProto(DataClassification classification) {
        return switch (classification) {
            case PRODUCT_KNOWLEDGE -> dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE;
            case OPERATIONAL_METADATA -> dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA;
            case WORKSPACE_CONFIGURATION ->
                    dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_WORKSPACE_CONFIGURATION;
            case TENANT_CONFIGURATION -> dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_TENANT_CONFIGURATION;
            case PERSONAL_DATA -> dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_PERSONAL_DATA;
            case SECRET -> dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_SECRET;
            case UNRECOGNIZED -> throw new IllegalArgumentException("UNRECOGNIZED cannot be sent");
        };
    }

    static DataClassification fromProto(dev.aigov.api.v1.DataClassification classification) {
        return switch (classification) {
            case DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE -> DataClassification.PRODUCT_KNOWLEDGE;
            case DATA_CLASSIFICATION_OPERATIONAL_METADATA -> DataClassification.OPERATIONAL_METADATA;
            case DATA_CLASSIFICATION_WORKSPACE_CONFIGURATION -> DataClassification.WORKSPACE_CONFIGURATION;
            case DATA_CLASSIFICATION_TENANT_CONFIGURATION -> DataClassification.TENANT_CONFIGURATION;
            case DATA_CLASSIFICATION_PERSONAL_DATA -> DataClassification.PERSONAL_DATA;
            case DATA_CLASSIFICATION_SECRET -> DataClassification.SECRET;
            default -> DataClassification.UNRECOGNIZED;
        };
    }

    static BlockReason fromProto(dev.aigov.api.v1.BlockReason reason) {
        return switch (reason) {
            case BLOCK_REASON_AI_EXECUTION_PAUSED -> BlockReason.AI_EXECUTION_PAUSED;
            case BLOCK_REASON_WORKSPACE_POLICY_DISABLED -> BlockReason.WORKSPACE_POLICY_DISABLED;
            case BLOCK_REASON_USE_CASE_NOT_APPROVED -> BlockReason.USE_CASE_NOT_APPROVED;
            case BLOCK_REASON_PROVIDER_CLASS_NOT_PERMITTED -> BlockReason.PROVIDER_CLASS_NOT_PERMITTED;
            case BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED -> BlockReason.TENANT_CONTEXT_NOT_PERMITTED;
            case BLOCK_REASON_SOURCE_FAMILY_NOT_PERMITTED -> BlockReason.SOURCE_FAMILY_NOT_PERMITTED;
            case BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED -> BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED;
            default -> BlockReason.UNRECOGNIZED;
        };
    }

    static dev.aigov.api.v1.PolicyMode toProto(PolicyMode mode) {
        return switch (mode) {
            case DISABLED -> dev.aigov.api.v1.PolicyMode.POLICY_MODE_DISABLED;
            case PRIVATE_ONLY -> dev.aigov.api.v1.PolicyMode.POLICY_MODE_PRIVATE_ONLY;
            case UNRECOGNIZED -> throw new IllegalArgumentException("UNRECOGNIZED cannot be set");
        };
    }

    static PolicyMode fromProto(dev.aigov.api.v1.PolicyMode mode) {
        return switch (mode) {
            case POLICY_MODE_DISABLED -> PolicyMode.DISABLED;
            case POLICY_MODE_PRIVATE_ONLY -> PolicyMode.PRIVATE_ONLY;
            default -> PolicyMode.UNRECOGNIZED;
        };
    }

    static dev.aigov.api.v1.ControlState toProto(ControlState state) {
        return switch (state) {
            case ENABLED -> dev.aigov.api.v1.ControlState.CONTROL_STATE_ENABLED;
            case PAUSED -> dev.aigov.api.v1.ControlState.CONTROL_STATE_PAUSED;
            case UNRECOGNIZED -> throw new IllegalArgumentException("UNRECOGNIZED cannot be set");
        };
    }

    static ControlState fromProto(dev.aigov.api.v1.ControlState state) {
        return switch (state) {
            case CONTROL_STATE_ENABLED -> ControlState.ENABLED;
            case CONTROL_STATE_PAUSED -> ControlState.PAUSED;
            default -> ControlState.UNRECOGNIZED;
        };
    }

    static Instant toInstant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }
}
