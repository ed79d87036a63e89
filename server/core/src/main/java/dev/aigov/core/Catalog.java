package dev.aigov.core;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The code-owned allowlist of use cases the rules decide with. The server reads it once at start from
 * a catalog file (aigov-catalog: the jar's built-in one, or {@code AIGOV_CATALOG_FILE}); nothing
 * changes it at run time.
 */
public final class Catalog {

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
