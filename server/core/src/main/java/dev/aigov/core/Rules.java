package dev.aigov.core;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The decision: a pure function of the request, the state and the catalog. Every rule is checked
 * and every failure reported; the primary reason is the first in {@link BlockReason} order.
 */
public final class Rules {
    /** The failing rules a caller can answer by changing its own request's provider class or classifications. */
    private static final Set<BlockReason> FALLBACK_REASONS = EnumSet.of(BlockReason.PROVIDER_CLASS_NOT_PERMITTED,
            BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED);

    private Rules() {
    }

    public static Decision evaluate(DecisionRequest request, Snapshot snapshot, Catalog catalog) {
        Optional<UseCase> useCase = catalog.find(request.useCase());
        PolicyStatus policy = snapshot.policy();
        List<BlockReason> failed = new ArrayList<>();
        List<DataClassification> rejected = new ArrayList<>();

        if (snapshot.paused()) {
            failed.add(BlockReason.AI_EXECUTION_PAUSED);
        }
        if (policy.mode() == PolicyMode.DISABLED) {
            failed.add(BlockReason.WORKSPACE_POLICY_DISABLED);
        }
        if (useCase.isEmpty()) {
            failed.add(BlockReason.USE_CASE_NOT_APPROVED);
        }
        if (!providerClassPermitted(request.providerClass(), policy.mode(), useCase)) {
            failed.add(BlockReason.PROVIDER_CLASS_NOT_PERMITTED);
        }
        // The remaining rules compare the request with its use case; an unknown use case has none.
        if (useCase.isPresent()) {
            UseCase approved = useCase.get();
            if (request.hasTenant() && !approved.tenantContextPermitted()) {
                failed.add(BlockReason.TENANT_CONTEXT_NOT_PERMITTED);
            }
            if (!approved.sourceFamily().equals(request.sourceFamily())) {
                failed.add(BlockReason.SOURCE_FAMILY_NOT_PERMITTED);
            }
            request.dataClassifications().stream()
                    .filter(classification -> !approved.dataClassifications().contains(classification))
                    .forEach(rejected::add);
            if (!rejected.isEmpty()) {
                failed.add(BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED);
            }
        }

        ControlStatus control = snapshot.decidingControl();
        ControlState executionState = snapshot.paused() ? ControlState.PAUSED : ControlState.ENABLED;
        // What would pass: only when nothing but the provider class and the classifications failed, so the caller can fall back.
        boolean fallback = !failed.isEmpty() && FALLBACK_REASONS.containsAll(failed);
        List<ProviderClass> permittedClasses = fallback
                ? useCase.get().providerClasses().stream().filter(policy.mode().permittedProviderClasses()::contains).toList()
                : List.of();
        List<DataClassification> permittedClassifications = fallback ? List.copyOf(useCase.get().dataClassifications()) : List.of();
        return new Decision(failed, rejected, policy.mode(), policy.version(), executionState, control.version(),
                message(request, snapshot, useCase, failed, rejected), Optional.of(catalog.version()), permittedClasses,
                permittedClassifications);
    }

    /**
     * A disabled mode is reported by its own rule (WORKSPACE_POLICY_DISABLED); here it is measured
     * by what enabling the workspace could permit, so that each reason names one thing to fix: a
     * class no mode permits (external_public) fails even under a disabled policy, local_private does
     * not. An enabled mode limits the classes it permits; the use case, when known, limits them further.
     */
    private static boolean providerClassPermitted(ProviderClass providerClass, PolicyMode mode, Optional<UseCase> useCase) {
        boolean byMode = mode == PolicyMode.DISABLED
                ? PolicyMode.anyPermits(providerClass)
                : mode.permittedProviderClasses().contains(providerClass);
        boolean byUseCase = useCase.map(approved -> approved.providerClasses().contains(providerClass)).orElse(true);
        return byMode && byUseCase;
    }

    private static String message(DecisionRequest request, Snapshot snapshot, Optional<UseCase> useCase,
            List<BlockReason> failed, List<DataClassification> rejected) {
        if (failed.isEmpty()) {
            return "Allowed: use case '" + request.useCase() + "' may send " + words(request.dataClassifications())
                    + " to a " + request.providerClass().word() + " provider for workspace '" + request.workspaceId() + "'.";
        }
        List<BlockReason> ordered = failed.stream().sorted().toList();
        String primary = switch (ordered.get(0)) {
            case AI_EXECUTION_PAUSED -> snapshot.globalControl().paused()
                    ? "AI execution is paused globally."
                    : "AI execution is paused for workspace '" + request.workspaceId() + "'.";
            case WORKSPACE_POLICY_DISABLED -> snapshot.policy().isDefault()
                    ? "workspace '" + request.workspaceId() + "' has never set an AI policy, so AI is disabled there."
                    : "workspace '" + request.workspaceId() + "' has its AI policy set to disabled.";
            case USE_CASE_NOT_APPROVED -> "use case '" + request.useCase() + "' is not in the catalog of approved use cases.";
            case PROVIDER_CLASS_NOT_PERMITTED -> "provider class " + request.providerClass().word()
                    + " is not permitted" + useCase.map(approved -> " for use case '" + approved.key() + "'").orElse("")
                    + " under policy " + snapshot.policy().mode().word() + ".";
            case TENANT_CONTEXT_NOT_PERMITTED -> "use case '" + request.useCase() + "' does not permit tenant context.";
            case SOURCE_FAMILY_NOT_PERMITTED -> "source family '" + request.sourceFamily() + "' is not permitted for use case '"
                    + request.useCase() + "'" + useCase.map(approved -> " (it takes '" + approved.sourceFamily() + "')").orElse("") + ".";
            case DATA_CLASSIFICATION_NOT_PERMITTED -> "use case '" + request.useCase() + "' does not permit data classified as "
                    + words(rejected) + ".";
        };
        String others = ordered.size() == 1 ? ""
                : " Also failing: " + ordered.subList(1, ordered.size()).stream().map(BlockReason::word)
                        .collect(Collectors.joining(", ")) + ".";
        return "Blocked: " + primary + others;
    }

    private static String words(List<? extends Enum<?>> values) {
        return values.stream().map(Vocabulary::word).collect(Collectors.joining(", "));
    }
}
