package dev.aigov.client;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * AiGovernance is the one question a service asks before any AI work, and the guard that holds the
 * work back until the answer is ALLOW. {@link AiGovernanceClient} asks the aigov server;
 * {@code dev.aigov.client.testing.InMemoryAiGovernance} (artifact {@code aigov-client-testing})
 * decides in memory with the server's own rules, for the tests of a service's guard code. Depend on
 * this interface, not on the client class, and a test can hand in either.
 *
 * <p>Every implementation fails closed: {@link #evaluate} never throws for a failure, it returns a
 * block; the guards run the work only after an ALLOW.
 */
public interface AiGovernance {

    /**
     * Asks for a decision, waiting at most the deadline. Never throws for anything that goes wrong
     * on the way: that is a block whose reason names the {@link FailureKind}.
     */
    AiDecision evaluate(AiRequest request);

    /**
     * Asks for a decision without blocking. The future always completes normally, with the decision
     * (a block on any failure), within the deadline. Cancelling the future cancels the call.
     */
    CompletableFuture<AiDecision> evaluateAsync(AiRequest request);

    /**
     * The catalog of approved use cases: check at start-up that the use cases the service relies on
     * exist ({@link UseCaseCatalog#missing}).
     *
     * @throws AiGovernanceException if the catalog was never read and cannot be read now
     */
    UseCaseCatalog useCases();

    /**
     * Asks for a decision and returns it only if it is an ALLOW.
     *
     * @throws AiExecutionBlockedException on anything but an ALLOW
     */
    default AiDecision requireAllowed(AiRequest request) {
        AiDecision decision = evaluate(request);
        if (!decision.allowed()) {
            throw new AiExecutionBlockedException(decision);
        }
        return decision;
    }

    /**
     * The guard: runs {@code work} only after an ALLOW, and returns what it returns.
     *
     * @throws AiExecutionBlockedException on anything but an ALLOW; the work did not run
     * @throws E whatever the work throws, unchanged
     */
    default <T, E extends Exception> T runIfAllowed(AiRequest request, GovernedWork<T, E> work) throws E {
        Objects.requireNonNull(work, "work");
        requireAllowed(request);
        return work.run();
    }

    /**
     * The asynchronous guard: calls {@code work} only after an ALLOW and completes with the stage it
     * returns, so the result is a {@code CompletableFuture<T>}, never a future of a future. On
     * anything but an ALLOW the future completes exceptionally with
     * {@link AiExecutionBlockedException} and {@code work} is never called. {@code work} runs on the
     * thread that receives the decision: it should start its work and return; blocking work belongs
     * on the caller's executor, {@code () -> CompletableFuture.supplyAsync(blockingWork, executor)}.
     */
    default <T> CompletableFuture<T> runIfAllowedAsync(AiRequest request, Supplier<? extends CompletionStage<T>> work) {
        Objects.requireNonNull(work, "work");
        return evaluateAsync(request).thenCompose(decision -> {
            if (!decision.allowed()) {
                throw new AiExecutionBlockedException(decision);
            }
            return work.get();
        });
    }
}
