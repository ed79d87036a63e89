package dev.aigov.core;

import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/** The code-owned allowlist of use cases. Not editable at run time: a change here is a release. */
public final class Catalog {

    /** The catalog of this release: what {@code ListUseCases} answers (the README's cookbook shows it). */
    public static final Catalog CURRENT = new Catalog(List.of(
            new UseCase(
                    "product_knowledge.answer_draft",
                    "product_knowledge",
                    false,
                    EnumSet.of(ProviderClass.LOCAL_PRIVATE),
                    EnumSet.of(DataClassification.PRODUCT_KNOWLEDGE, DataClassification.OPERATIONAL_METADATA),
                    "Draft an answer from the product's own knowledge."),
            new UseCase(
                    "support_diagnostics.summary_draft",
                    "support_diagnostics",
                    true,
                    EnumSet.of(ProviderClass.LOCAL_PRIVATE),
                    EnumSet.of(DataClassification.OPERATIONAL_METADATA,
                            DataClassification.WORKSPACE_CONFIGURATION,
                            DataClassification.TENANT_CONFIGURATION),
                    "Draft a summary of a support-diagnostics bundle.")));

    private final List<UseCase> useCases;

    public Catalog(List<UseCase> useCases) {
        this.useCases = useCases.stream().sorted(Comparator.comparing(UseCase::key)).toList();
    }

    /** Every use case, ordered by key. */
    public List<UseCase> useCases() {
        return useCases;
    }

    public Optional<UseCase> find(String key) {
        return useCases.stream().filter(useCase -> useCase.key().equals(key)).findFirst();
    }
}
