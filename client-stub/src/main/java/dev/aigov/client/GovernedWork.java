package dev.aigov.client;

/**
 * GovernedWork is AI work that may run only after aigov allows it: the body of
 * {@link AiGovernanceClient#runIfAllowed(AiRequest, GovernedWork)}. It may throw a checked exception
 * of its own, which the guard passes on unchanged.
 *
 * @param <T> what the work returns
 * @param <E> what the work may throw
 */
@FunctionalInterface
public interface GovernedWork<T, E extends Exception> {

    /** Does the work; called at most once, and only after an ALLOW. */
    T run() throws E;
}
