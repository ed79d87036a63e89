package dev.aigov.server.error;

import java.util.Map;

/** The database or the audit path cannot be reached: no answer may be given without its record. */
public final class StorageUnavailable extends AigovException {
    public StorageUnavailable(String what, Throwable cause) {
        this(what + ": the database is unavailable; nothing was decided or changed. Retry with the same request_id.", cause, true);
    }

    private StorageUnavailable(String message, Throwable cause, boolean fullMessage) {
        super(message, cause);
    }

    /** The database answers but refused the work for a reason an operator must see: {@code why}. */
    public static StorageUnavailable because(String what, String why, Throwable cause) {
        return new StorageUnavailable(what + ": " + why + "; nothing was decided or changed. Retry with the same request_id.", cause,
                true);
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }
}
