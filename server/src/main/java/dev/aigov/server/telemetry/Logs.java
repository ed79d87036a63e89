package dev.aigov.server.telemetry;

import java.util.Optional;
import java.util.UUID;
import org.slf4j.MDC;

/** The ids a log line carries (as {@code request_id} in JSON lines, {@code [request_id=...]} in text). */
public final class Logs {
    private Logs() {
    }

    /** Puts the call's request_id on the lines logged until closed; nothing when it has none. */
    public static Ids requestId(Optional<UUID> requestId) {
        requestId.ifPresent(id -> MDC.put("request_id", id.toString()));
        return () -> MDC.remove("request_id");
    }

    /** Ids on the current thread's log lines, removed when closed. */
    @FunctionalInterface
    public interface Ids extends AutoCloseable {
        @Override
        void close();
    }
}
