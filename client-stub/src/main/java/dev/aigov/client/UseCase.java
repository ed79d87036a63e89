package dev.aigov.client;

import java.util.Objects;

/**
 * UseCase is the catalog key of a use case. The catalog is owned by the server; the constants name
 * the use cases of this version, and {@link #of(String)} names any other (a key the server does not
 * know is a recorded block, {@link BlockReason#USE_CASE_NOT_APPROVED}).
 *
 * @param key the catalog key, for example {@code product_knowledge.answer_draft}
 */
public record UseCase(String key) {

    /** Drafting an answer from the product's own knowledge; source family {@code product_knowledge}. */
    public static final UseCase PRODUCT_KNOWLEDGE_ANSWER_DRAFT = new UseCase("product_knowledge.answer_draft");

    /**
     * Drafting a summary of a support-diagnostics bundle; source family {@code support_diagnostics};
     * tenant context permitted.
     */
    public static final UseCase SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT = new UseCase("support_diagnostics.summary_draft");

    /** Checks that the key is given. */
    public UseCase {
        Objects.requireNonNull(key, "key");
    }

    /** The use case with this catalog key. */
    public static UseCase of(String key) {
        return new UseCase(key);
    }

    @Override
    public String toString() {
        return key;
    }
}
