package dev.aigov.client;

import java.util.Objects;

/**
 * SourceFamily is where the data sent to a model comes from. Each use case accepts exactly one.
 *
 * @param name the family's name, for example {@code support_diagnostics}
 */
public record SourceFamily(String name) {

    /** The product's own knowledge: documentation and help content. */
    public static final SourceFamily PRODUCT_KNOWLEDGE = new SourceFamily("product_knowledge");

    /** Support-diagnostics bundles. */
    public static final SourceFamily SUPPORT_DIAGNOSTICS = new SourceFamily("support_diagnostics");

    /** Checks that the name is given. */
    public SourceFamily {
        Objects.requireNonNull(name, "name");
    }

    /** The source family with this name. */
    public static SourceFamily of(String name) {
        return new SourceFamily(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
