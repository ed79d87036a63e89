package dev.aigov.core;

import java.util.List;
import java.util.Optional;

/**
 * The answer to one request: every failing rule, in precedence order, and the state and catalog it
 * was made on. It is an ALLOW exactly when no rule failed.
 *
 * @param catalog the catalog's version it was made with; empty only for a decision recorded before
 *     decisions carried it
 * @param permittedProviderClasses for a BLOCK whose only failing rules are the provider class and
 *     the data classifications: the provider classes the use case permits under the policy it was
 *     decided on, so that a caller can fall back; empty otherwise
 * @param permittedDataClassifications for such a BLOCK: the data classifications the use case
 *     permits; empty otherwise
 */
public record Decision(
        List<BlockReason> allReasons,
        List<DataClassification> rejectedClassifications,
        PolicyMode effectivePolicyMode,
        long policyVersion,
        ControlState executionState,
        long controlVersion,
        String message,
        Optional<CatalogVersion> catalog,
        List<ProviderClass> permittedProviderClasses,
        List<DataClassification> permittedDataClassifications) {

    public Decision {
        allReasons = allReasons.stream().sorted().distinct().toList();
        rejectedClassifications = List.copyOf(rejectedClassifications);
        permittedProviderClasses = permittedProviderClasses.stream().sorted().distinct().toList();
        permittedDataClassifications = permittedDataClassifications.stream().sorted().distinct().toList();
    }

    /**
     * This decision as the audit trail keeps it: without what would pass, which the trail does not
     * store (the rules give it again from the same request, state and catalog). A retry's decision
     * is its first one exactly when the two are equal as recorded.
     */
    public Decision asRecorded() {
        return new Decision(allReasons, rejectedClassifications, effectivePolicyMode, policyVersion, executionState, controlVersion,
                message, catalog, List.of(), List.of());
    }

    public Outcome outcome() {
        return allReasons.isEmpty() ? Outcome.ALLOW : Outcome.BLOCK;
    }

    public boolean allowed() {
        return outcome() == Outcome.ALLOW;
    }

    /** The primary reason: the first failing rule in precedence order; empty on an allow. */
    public Optional<BlockReason> reason() {
        return allReasons.stream().findFirst();
    }
}
