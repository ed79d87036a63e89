package dev.aigov.core;

import java.util.Set;

/** One approved use case of the catalog: what it may send, where from, and to which provider classes. */
public record UseCase(
        String key,
        String sourceFamily,
        boolean tenantContextPermitted,
        Set<ProviderClass> providerClasses,
        Set<DataClassification> dataClassifications,
        String description) {

    public UseCase {
        providerClasses = Set.copyOf(providerClasses);
        dataClassifications = Set.copyOf(dataClassifications);
    }
}
