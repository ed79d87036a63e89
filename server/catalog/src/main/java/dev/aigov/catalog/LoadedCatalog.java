package dev.aigov.catalog;

import dev.aigov.core.Catalog;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A valid catalog and where it was read from.
 *
 * @param file the operator's file ({@code AIGOV_CATALOG_FILE}); empty for the jar's built-in catalog
 * @param catalog the use cases the rules decide with, and its version (digest and label)
 */
public record LoadedCatalog(Optional<Path> file, Catalog catalog) {
    public LoadedCatalog {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(catalog, "catalog");
    }

    /** The file's optional {@code label}, for people (a release name, a commit): the catalog's version carries it. */
    public Optional<String> label() {
        return catalog.version().label();
    }

    /** For the start-up line: "catalog /etc/aigov/catalog.json (label 'r42'), 3 use cases". */
    public String describe() {
        return "catalog " + file.map(Path::toString).orElse("built-in (" + CatalogFile.BUILT_IN_RESOURCE + ")")
                + label().map(l -> " (label '" + l + "')").orElse("") + ", " + useCases();
    }

    /** "1 use case", "2 use cases". */
    public String useCases() {
        int count = catalog.useCases().size();
        return count + (count == 1 ? " use case" : " use cases");
    }
}
