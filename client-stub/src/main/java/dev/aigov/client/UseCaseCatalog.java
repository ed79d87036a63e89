package dev.aigov.client;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * UseCaseCatalog is aigov's catalog of approved use cases, as read at {@link #readAt()}. The catalog
 * is code-owned on the server: it changes with a server release, when a use case is added or
 * retired. A request for a use case not in it is a BLOCK ({@link BlockReason#USE_CASE_NOT_APPROVED}).
 *
 * <pre>{@code
 * List<UseCase> missing = governance.useCases().missing(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT);
 * if (!missing.isEmpty()) {
 *     LOG.error("aigov does not approve {}: AI drafting stays off", missing);
 * }
 * }</pre>
 *
 * @param useCases every approved use case, ordered by key
 * @param readAt when it was read from the server
 */
public record UseCaseCatalog(List<ApprovedUseCase> useCases, Instant readAt) {

    /** Checks the parts, and orders the use cases by key. */
    public UseCaseCatalog {
        useCases = useCases.stream().sorted(Comparator.comparing(entry -> entry.useCase().key())).toList();
        Objects.requireNonNull(readAt, "readAt");
    }

    /** The entry of this use case, if the catalog approves it. */
    public Optional<ApprovedUseCase> find(UseCase useCase) {
        return useCases.stream().filter(entry -> entry.useCase().equals(useCase)).findFirst();
    }

    /** Whether the catalog approves this use case. */
    public boolean contains(UseCase useCase) {
        return find(useCase).isPresent();
    }

    /** The use cases among {@code needed} that the catalog does not approve, in the order given; empty when all are there. */
    public List<UseCase> missing(UseCase... needed) {
        return missing(Arrays.asList(needed));
    }

    /** The use cases among {@code needed} that the catalog does not approve, in the order given. */
    public List<UseCase> missing(Collection<UseCase> needed) {
        return needed.stream().filter(useCase -> !contains(useCase)).distinct().toList();
    }
}
