package dev.aigov.client;

import java.time.Instant;
import java.util.Optional;

/**
 * ExecutionControl is the {@code ai.execution} control at one scope.
 *
 * @param scope global, or one workspace
 * @param state the state set at this scope
 * @param reason why it was paused; empty when enabled
 * @param version counts the changes at this scope; 0 means never changed (enabled)
 * @param changedBy the principal (token name) that set it; empty at version 0
 * @param changedAt when it was set; empty at version 0
 */
public record ExecutionControl(
        ControlScope scope,
        ControlState state,
        String reason,
        long version,
        String changedBy,
        Optional<Instant> changedAt) {
}
