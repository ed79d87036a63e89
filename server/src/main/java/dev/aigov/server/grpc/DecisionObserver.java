package dev.aigov.server.grpc;

import dev.aigov.core.DecisionRequest;
import dev.aigov.server.evaluation.RecordedDecision;

/**
 * Watches each evaluation from its start to its answer (metrics and traces watch through it; the
 * service learns nothing of them).
 */
@FunctionalInterface
public interface DecisionObserver {
    DecisionObserver NONE = () -> Observation.NONE;

    /** At the call's start, on its thread (the call's trace context is current). */
    Observation started();

    /** One evaluation. */
    interface Observation {
        Observation NONE = new Observation() {
            @Override
            public void decided(DecisionRequest request, RecordedDecision decision) {
            }

            @Override
            public void failed(Throwable failure) {
            }
        };

        /** Decided and recorded: the answer the caller gets. */
        void decided(DecisionRequest request, RecordedDecision decision);

        /** No decision: the caller gets an error. */
        void failed(Throwable failure);
    }
}
