package dev.aigov.client;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * AiRequest describes AI work a caller intends to do, in the words of aigov's catalog: for which
 * workspace (and tenant), which use case, which provider class, which kinds of data from which
 * source family, on whose behalf. It has no place for a prompt, a document or model output.
 *
 * <p>Immutable and reusable: each evaluation of a request without an explicit
 * {@link Builder#requestId(UUID) request id} gets a fresh one, so reusing a request object never
 * replays an old decision.
 *
 * <pre>{@code
 * AiRequest request = AiRequest.builder()
 *         .workspaceId("ws-42")
 *         .useCase(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT)
 *         .sourceFamily(SourceFamily.PRODUCT_KNOWLEDGE)
 *         .providerClass(ProviderClass.LOCAL_PRIVATE)
 *         .dataClassifications(DataClassification.PRODUCT_KNOWLEDGE)
 *         .actor(Actor.user("user-7"))
 *         .build();
 * }</pre>
 */
public final class AiRequest {

    private final String workspaceId;
    private final String tenantId;
    private final UseCase useCase;
    private final ProviderClass providerClass;
    private final Set<DataClassification> dataClassifications;
    private final SourceFamily sourceFamily;
    private final Actor actor;
    private final String callerSurface;
    private final UUID requestId;

    private AiRequest(Builder builder) {
        this.workspaceId = builder.workspaceId;
        this.tenantId = builder.tenantId;
        this.useCase = builder.useCase;
        this.providerClass = builder.providerClass;
        this.dataClassifications = Collections.unmodifiableSet(EnumSet.copyOf(builder.dataClassifications));
        this.sourceFamily = builder.sourceFamily;
        this.actor = builder.actor;
        this.callerSurface = builder.callerSurface;
        this.requestId = builder.requestId;
    }

    /** A builder for a request; {@link Builder#build()} says which required part is missing. */
    public static Builder builder() {
        return new Builder();
    }

    /** The workspace the work is for. */
    public String workspaceId() {
        return workspaceId;
    }

    /** The managed tenant whose data is involved, if any. */
    public Optional<String> tenantId() {
        return Optional.ofNullable(tenantId);
    }

    /** The use case. */
    public UseCase useCase() {
        return useCase;
    }

    /** The trust class of the provider that would receive the data. */
    public ProviderClass providerClass() {
        return providerClass;
    }

    /** Every kind of data that would be sent; at least one, in declaration order of the enum. */
    public Set<DataClassification> dataClassifications() {
        return dataClassifications;
    }

    /** Where the data comes from. */
    public SourceFamily sourceFamily() {
        return sourceFamily;
    }

    /** Who asked for the work on the caller's side. */
    public Actor actor() {
        return actor;
    }

    /** The screen, endpoint or job that asked, if given. */
    public Optional<String> callerSurface() {
        return Optional.ofNullable(callerSurface);
    }

    /**
     * The request id the caller chose, if any. Without one, the client generates a fresh id for each
     * evaluation (and reuses it for that evaluation's retries).
     */
    public Optional<UUID> requestId() {
        return Optional.ofNullable(requestId);
    }

    @Override
    public String toString() {
        return "AiRequest[workspaceId=" + workspaceId
                + (tenantId == null ? "" : ", tenantId=" + tenantId)
                + ", useCase=" + useCase
                + ", providerClass=" + providerClass
                + ", dataClassifications=" + dataClassifications
                + ", sourceFamily=" + sourceFamily
                + ", actor=" + actor
                + (callerSurface == null ? "" : ", callerSurface=" + callerSurface)
                + (requestId == null ? "" : ", requestId=" + requestId)
                + "]";
    }

    /**
     * Builder of an {@link AiRequest}. Not thread-safe; the request it builds is. Required: workspace
     * id, use case, provider class, at least one data classification, source family, actor. The
     * server checks the ids' format ({@code [A-Za-z0-9._:-]{1,128}}); a malformed one is a block.
     */
    public static final class Builder {

        private String workspaceId;
        private String tenantId;
        private UseCase useCase;
        private ProviderClass providerClass;
        private final Set<DataClassification> dataClassifications = EnumSet.noneOf(DataClassification.class);
        private SourceFamily sourceFamily;
        private Actor actor;
        private String callerSurface;
        private UUID requestId;

        private Builder() {
        }

        /** The workspace the work is for. Required. */
        public Builder workspaceId(String workspaceId) {
            this.workspaceId = Objects.requireNonNull(workspaceId, "workspaceId");
            return this;
        }

        /**
         * The managed tenant whose data is involved. Optional; only use cases that permit tenant
         * context accept it. {@code null} clears it.
         */
        public Builder tenantId(String tenantId) {
            this.tenantId = tenantId;
            return this;
        }

        /** The use case. Required. */
        public Builder useCase(UseCase useCase) {
            this.useCase = Objects.requireNonNull(useCase, "useCase");
            return this;
        }

        /** The use case, by catalog key. Required. */
        public Builder useCase(String useCaseKey) {
            return useCase(UseCase.of(useCaseKey));
        }

        /** The trust class of the provider that would receive the data. Required. */
        public Builder providerClass(ProviderClass providerClass) {
            this.providerClass = Objects.requireNonNull(providerClass, "providerClass");
            return this;
        }

        /**
         * Sets the kinds of data that would be sent, replacing any set before. At least one is
         * required, at most 16 (the server's limit); repeats count once.
         */
        public Builder dataClassifications(DataClassification first, DataClassification... more) {
            Set<DataClassification> declared = EnumSet.noneOf(DataClassification.class);
            addClassification(declared, first);
            for (DataClassification classification : more) {
                addClassification(declared, classification);
            }
            return replaceClassifications(declared);
        }

        /** Sets the kinds of data that would be sent, replacing any set before. */
        public Builder dataClassifications(Collection<DataClassification> classifications) {
            Set<DataClassification> declared = EnumSet.noneOf(DataClassification.class);
            classifications.forEach(classification -> addClassification(declared, classification));
            return replaceClassifications(declared);
        }

        private Builder replaceClassifications(Set<DataClassification> declared) {
            dataClassifications.clear();
            dataClassifications.addAll(declared);
            return this;
        }

        private static void addClassification(Set<DataClassification> dataClassifications,
                DataClassification classification) {
            Objects.requireNonNull(classification, "dataClassification");
            if (classification == DataClassification.UNRECOGNIZED) {
                throw new IllegalArgumentException("UNRECOGNIZED is not a classification a request can declare");
            }
            dataClassifications.add(classification);
        }

        /** Where the data comes from. Required. */
        public Builder sourceFamily(SourceFamily sourceFamily) {
            this.sourceFamily = Objects.requireNonNull(sourceFamily, "sourceFamily");
            return this;
        }

        /** Where the data comes from, by name. Required. */
        public Builder sourceFamily(String sourceFamily) {
            return sourceFamily(SourceFamily.of(sourceFamily));
        }

        /** Who asked for the work on the caller's side. Required. */
        public Builder actor(Actor actor) {
            this.actor = Objects.requireNonNull(actor, "actor");
            return this;
        }

        /** The screen, endpoint or job that asked, for the audit trail. Optional; {@code null} clears it. */
        public Builder callerSurface(String callerSurface) {
            this.callerSurface = callerSurface;
            return this;
        }

        /**
         * The request id, for callers that carry their own idempotency key across processes: asking
         * again with the same id and the same request returns the first decision and records nothing
         * new, as long as the server's state has not changed since; after a pause or a policy change
         * it is decided afresh (an old ALLOW is never replayed past the emergency stop). Optional and
         * rarely needed: without it each evaluation gets a fresh id, which its own retries reuse.
         * {@code null} clears it.
         */
        public Builder requestId(UUID requestId) {
            this.requestId = requestId;
            return this;
        }

        /**
         * Builds the request.
         *
         * @throws IllegalStateException naming the first required part that is missing
         */
        public AiRequest build() {
            require(workspaceId != null, "workspaceId");
            require(useCase != null, "useCase");
            require(providerClass != null, "providerClass");
            require(!dataClassifications.isEmpty(), "dataClassifications");
            require(sourceFamily != null, "sourceFamily");
            require(actor != null, "actor");
            return new AiRequest(this);
        }

        private static void require(boolean present, String part) {
            if (!present) {
                throw new IllegalStateException("AiRequest needs " + part);
            }
        }
    }
}
