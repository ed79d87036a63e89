package dev.aigov.server.error;

import java.util.Map;

/** No credential, or one that is unknown, malformed or revoked. */
public final class NotAuthenticated extends AigovException {
    private final boolean missing;

    public NotAuthenticated(boolean missing, String message) {
        super(message);
        this.missing = missing;
    }

    /** True when no credential was sent at all, false when the one sent is not valid. */
    public boolean missing() {
        return missing;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("header", "authorization");
    }
}
