package dev.aigov.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * AI work a caller intends to do, validated. There is no field for a prompt, a document or model
 * output: the service must be unable to store them.
 *
 * @param tenantId         empty when the request names no tenant
 * @param dataClassifications the declared classifications, without repeats, in the order first declared
 * @param callerSurface    empty when not given
 * @param clientVersion    the calling aigov-client's version as it announced it, normalised by
 *                         {@link Vocabulary#clientVersion}: empty when not announced, never longer than
 *                         {@link Vocabulary#MAX_CLIENT_VERSION_LENGTH}. Metadata for the audit trail;
 *                         it takes no part in the decision, nor in the request's idempotency fingerprint.
 */
public record DecisionRequest(
        String workspaceId,
        String tenantId,
        String useCase,
        ProviderClass providerClass,
        List<DataClassification> dataClassifications,
        String sourceFamily,
        Actor actor,
        String callerSurface,
        Optional<UUID> requestId,
        String clientVersion) {

    public static final int MAX_CLASSIFICATIONS = 16;

    public DecisionRequest {
        Vocabulary.requireId("workspace_id", workspaceId);
        tenantId = Vocabulary.optionalId("tenant_id", tenantId);
        Vocabulary.requireId("use_case", useCase);
        if (providerClass == null) {
            throw new InvalidRequest("provider_class", "is required");
        }
        requireClassificationCount(dataClassifications == null ? 0 : dataClassifications.size());
        if (dataClassifications.stream().anyMatch(Objects::isNull)) {
            throw new InvalidRequest("data_classifications", "contains an unspecified classification");
        }
        dataClassifications = dataClassifications.stream().distinct().toList();
        Vocabulary.requireId("source_family", sourceFamily);
        if (actor == null) {
            throw new InvalidRequest("actor", "is required");
        }
        callerSurface = Vocabulary.optionalId("caller_surface", callerSurface);
        Objects.requireNonNull(requestId, "requestId");
        clientVersion = Vocabulary.clientVersion(clientVersion);
    }

    /** A request whose caller announced no client version. */
    public DecisionRequest(String workspaceId, String tenantId, String useCase, ProviderClass providerClass,
            List<DataClassification> dataClassifications, String sourceFamily, Actor actor,
            String callerSurface, Optional<UUID> requestId) {
        this(workspaceId, tenantId, useCase, providerClass, dataClassifications, sourceFamily, actor, callerSurface,
                requestId, "");
    }

    /** How many classifications a request may declare, counted as sent (repeats included): 1 to 16. */
    public static void requireClassificationCount(int count) {
        if (count == 0) {
            throw new InvalidRequest("data_classifications", "declare at least one classification");
        }
        if (count > MAX_CLASSIFICATIONS) {
            throw new InvalidRequest("data_classifications",
                    "declares " + count + " values; at most " + MAX_CLASSIFICATIONS + " are allowed");
        }
    }

    public boolean hasTenant() {
        return !tenantId.isEmpty();
    }
}
