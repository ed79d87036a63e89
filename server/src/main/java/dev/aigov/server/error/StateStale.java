package dev.aigov.server.error;

import java.time.Duration;
import java.util.Map;

/**
 * This replica could not confirm, within its staleness bound, that its in-memory decision state is
 * current: it decides nothing until it has (fail closed).
 */
public final class StateStale extends AigovException {
    public StateStale(Duration bound) {
        super("this aigov replica has not confirmed its decision state is current within " + bound.toMillis()
                + " ms (AIGOV_MAX_STALENESS); nothing was decided. Retry with the same request_id.");
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }
}
