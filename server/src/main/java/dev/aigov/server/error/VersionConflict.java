package dev.aigov.server.error;

import java.util.Map;

/** {@code expected_version} is not the version in force; nothing changed. */
public final class VersionConflict extends AigovException {
    private final long expected;
    private final long current;

    public VersionConflict(String what, long expected, long current) {
        super(what + " is at version " + current + ", not the expected " + expected
                + "; nothing changed. Read it again and retry with expected_version " + current + ".");
        this.expected = expected;
        this.current = current;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("field", "expected_version",
                "expected_version", Long.toString(expected),
                "current_version", Long.toString(current));
    }
}
