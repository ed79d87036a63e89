package dev.aigov.server.error;

import java.util.Map;

/** The database or the audit path cannot be reached: no answer may be given without its record. */
public final class StorageUnavailable extends AigovException {
    public StorageUnavailable(String what, Throwable cause) {
        super(what + ": the database is unavailable; nothing was decided or changed. Retry with the same request_id.", cause);
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }
}
