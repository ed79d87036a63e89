package dev.aigov.client;

import java.util.Objects;

/**
 * AiExecutionBlockedException is thrown by the guards ({@link AiGovernance#runIfAllowed},
 * {@link AiGovernance#requireAllowed}) when the answer is anything but a complete ALLOW: a
 * server BLOCK, or the client's own block because aigov could not be asked. The AI work was not
 * started. It carries the decision, whose reasons and message may be shown to the person who asked,
 * and keeps it when serialized (to another process, a job queue, a session).
 *
 * <p>Unchecked on purpose: the guarded work is never reached, whatever the caller does with the
 * exception, so there is nothing to recover by catching it early.
 */
public final class AiExecutionBlockedException extends RuntimeException {

    @java.io.Serial
    private static final long serialVersionUID = 2L;

    private final AiDecision decision;

    /** Creates the exception for a decision that is not an allow. */
    public AiExecutionBlockedException(AiDecision decision) {
        super("AI work blocked by aigov: " + Objects.requireNonNull(decision, "decision"));
        if (decision.allowed()) {
            throw new IllegalArgumentException("an allowed decision does not block");
        }
        this.decision = decision;
    }

    /** The decision that blocked the work. */
    public AiDecision decision() {
        return decision;
    }
}
