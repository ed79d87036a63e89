package dev.aigov.core;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The raw fields of an evaluate request, starting as one every rule allows under a private_only
 * policy; tests change one field at a time and then validate with {@link #build()}.
 */
final class RequestBuilder {
    static final String ANSWER_DRAFT = "product_knowledge.answer_draft";
    static final String SUMMARY_DRAFT = "support_diagnostics.summary_draft";

    /**
     * The two use cases the core's tests decide with, written out here (the core reads no file): the
     * jar's built-in catalog file has the same two, which aigov-catalog's DefaultCatalogTest holds it to.
     */
    static final Catalog CATALOG = new Catalog(List.of(
            new UseCase(ANSWER_DRAFT, "product_knowledge", false, Set.of(ProviderClass.LOCAL_PRIVATE),
                    Set.of(DataClassification.PRODUCT_KNOWLEDGE, DataClassification.OPERATIONAL_METADATA),
                    "Draft an answer from the product's own knowledge."),
            new UseCase(SUMMARY_DRAFT, "support_diagnostics", true, Set.of(ProviderClass.LOCAL_PRIVATE),
                    Set.of(DataClassification.OPERATIONAL_METADATA, DataClassification.WORKSPACE_CONFIGURATION,
                            DataClassification.TENANT_CONFIGURATION),
                    "Draft a summary of a support-diagnostics bundle.")));

    String workspaceId = "ws-1";
    String tenantId = "";
    String useCase = ANSWER_DRAFT;
    ProviderClass providerClass = ProviderClass.LOCAL_PRIVATE;
    List<DataClassification> dataClassifications = List.of(DataClassification.PRODUCT_KNOWLEDGE);
    String sourceFamily = "product_knowledge";
    String actorId = "user-1";
    ActorKind actorKind = ActorKind.USER;
    boolean withActor = true;
    String callerSurface = "";

    static RequestBuilder valid() {
        return new RequestBuilder();
    }

    RequestBuilder classifications(DataClassification... classifications) {
        this.dataClassifications = Arrays.asList(classifications);
        return this;
    }

    /** Sets the id-shaped field named by its proto path. */
    RequestBuilder id(String field, String value) {
        switch (field) {
            case "workspace_id" -> workspaceId = value;
            case "tenant_id" -> tenantId = value;
            case "use_case" -> useCase = value;
            case "source_family" -> sourceFamily = value;
            case "actor.id" -> actorId = value;
            case "caller_surface" -> callerSurface = value;
            default -> throw new IllegalArgumentException("not an id field: " + field);
        }
        return this;
    }

    DecisionRequest build() {
        Actor actor = withActor ? new Actor(actorId, actorKind) : null;
        return new DecisionRequest(workspaceId, tenantId, useCase, providerClass, dataClassifications,
                sourceFamily, actor, callerSurface, Optional.empty());
    }
}
