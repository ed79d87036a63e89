package dev.aigov.client;

import java.util.Objects;
import java.util.Set;

/**
 * ApprovedUseCase is one entry of aigov's catalog: what the use case may send, where from, and to
 * which provider classes.
 *
 * @param useCase the catalog key
 * @param sourceFamily the one source family it accepts
 * @param tenantContextPermitted whether a request may name a tenant
 * @param providerClasses the provider classes it permits (a policy mode may permit fewer)
 * @param dataClassifications the data classifications it permits
 * @param description what it is for, for a person
 */
public record ApprovedUseCase(
        UseCase useCase,
        SourceFamily sourceFamily,
        boolean tenantContextPermitted,
        Set<ProviderClass> providerClasses,
        Set<DataClassification> dataClassifications,
        String description) {

    /** Checks the parts and copies the sets. */
    public ApprovedUseCase {
        Objects.requireNonNull(useCase, "useCase");
        Objects.requireNonNull(sourceFamily, "sourceFamily");
        providerClasses = Set.copyOf(providerClasses);
        dataClassifications = Set.copyOf(dataClassifications);
        Objects.requireNonNull(description, "description");
    }
}
