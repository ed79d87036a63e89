package dev.aigov.server.error;

import java.util.Map;

/** More decisions are waiting for their audit record than the server may hold: refused at once. */
public final class Overloaded extends AigovException {
    public Overloaded(String what) {
        super(what + ": the server is overloaded; nothing was decided or recorded. Retry with backoff and the same request_id.");
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }
}
