package dev.aigov.server.error;

import java.util.Map;

/** The control key is not one aigov knows. */
public final class UnknownControlKey extends AigovException {
    public UnknownControlKey(String key, String known) {
        // The key is echoed abbreviated: a status message travels in a header, and headers are small.
        super("control_key: unknown control '" + (key.length() > 64 ? key.substring(0, 64) + "…" : key)
                + "'; the known control is " + known);
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("field", "control_key");
    }
}
