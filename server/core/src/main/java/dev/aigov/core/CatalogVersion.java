package dev.aigov.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Which catalog a decision was made with: the digest of its content, which changes exactly when a
 * use case does, and the catalog file's optional label (a release name, a commit), for people.
 *
 * @param digest {@code sha256:} and the 64 lower-case hex digits of the SHA-256 of the catalog's
 *     canonical encoding ({@link Catalog#digestOf}); the label is not part of it
 * @param label the catalog file's {@code label}, if it has one
 */
public record CatalogVersion(String digest, Optional<String> label) {
    public CatalogVersion {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(label, "label");
    }

    /** "sha256:3f2a… (label 'r42')", for logs. */
    public String describe() {
        return digest + label.map(l -> " (label '" + l + "')").orElse("");
    }
}
