package dev.aigov.server.error;

import java.util.Map;
import java.util.UUID;

/** The request_id was already used by another caller or for a different request. */
public final class RequestIdReused extends AigovException {
    public RequestIdReused(UUID requestId, String operation) {
        super("request_id " + requestId + " was already used for a different " + operation
                + " request; nothing changed. Use a fresh request_id for a different request.");
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("field", "request_id");
    }
}
