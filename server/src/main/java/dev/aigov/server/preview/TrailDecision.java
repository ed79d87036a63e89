package dev.aigov.server.preview;

import dev.aigov.core.DecisionRequest;
import dev.aigov.core.Outcome;
import dev.aigov.core.PolicyStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * One decision as the trail recorded it: the request's metadata, the outcome answered, and the state
 * it was decided on (the policy, whether {@code ai.execution} was paused, the deciding control's version).
 */
record TrailDecision(UUID decisionId, Instant occurredAt, DecisionRequest request, Outcome outcome, PolicyStatus policy,
        boolean paused, long controlVersion) {
}
