package dev.aigov.server.error;

import java.util.Map;

/** The control key is not one aigov knows. */
public final class UnknownControlKey extends AigovException {
    public UnknownControlKey(String key, String known) {
        super("control_key: unknown control '" + key + "'; the known control is " + known);
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("field", "control_key");
    }
}
