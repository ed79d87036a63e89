package dev.aigov.server.error;

import java.time.Duration;
import java.util.Map;

/** A peer spent its budget of failed authentications: refused before any database work. */
public final class TooManyFailedAuthentications extends AigovException {
    private final Duration retryAfter;

    public TooManyFailedAuthentications(Duration retryAfter) {
        super("too many failed authentications from this address; retry in " + Math.max(1, retryAfter.toMillis()) + " ms");
        this.retryAfter = retryAfter;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("header", "authorization", "retry_after_ms", Long.toString(Math.max(1, retryAfter.toMillis())));
    }
}
