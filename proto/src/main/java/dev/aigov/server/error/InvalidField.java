package dev.aigov.server.error;

import java.util.Map;

/** A request field is missing, malformed or out of range. {@code field} is its proto path. */
public final class InvalidField extends AigovException {
    private final String field;

    public InvalidField(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("field", field);
    }
}
