package dev.aigov.server.preview;

import static dev.aigov.db.jooq.Tables.CONTROL_ACTIVATIONS;

import dev.aigov.core.ControlState;
import dev.aigov.core.Vocabulary;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jooq.DSLContext;

/**
 * What a control was, at each scope, at any time before a preview's window ended: read from
 * {@code control_activations}, every change of the control (operators' pauses and resumes: a short
 * history, held in memory), so that a resume of one scope is replayed with the other scope's state
 * as it was when each decision was made.
 */
final class ControlHistory {
    static final ControlHistory NONE = new ControlHistory(Map.of());

    /** Per scope ('' global), the state set at each time. */
    private final Map<String, NavigableMap<Instant, ControlState>> byScope;

    private ControlHistory(Map<String, NavigableMap<Instant, ControlState>> byScope) {
        this.byScope = byScope;
    }

    /** Every change of {@code controlKey} made before {@code until}. */
    static ControlHistory read(DSLContext tx, String controlKey, Instant until) {
        Map<String, NavigableMap<Instant, ControlState>> byScope = new HashMap<>();
        tx.select(CONTROL_ACTIVATIONS.WORKSPACE_ID, CONTROL_ACTIVATIONS.STATE, CONTROL_ACTIVATIONS.CHANGED_AT)
                .from(CONTROL_ACTIVATIONS)
                .where(CONTROL_ACTIVATIONS.CONTROL_KEY.eq(controlKey))
                .and(CONTROL_ACTIVATIONS.CHANGED_AT.lt(DecisionTrail.utc(until)))
                .orderBy(CONTROL_ACTIVATIONS.CHANGED_AT.asc(), CONTROL_ACTIVATIONS.ACTIVATION_ID.asc())
                .forEach(row -> byScope.computeIfAbsent(row.value1(), scope -> new TreeMap<>())
                        .put(row.value3().toInstant(), Vocabulary.fromWord(ControlState.class, row.value2())));
        return new ControlHistory(byScope);
    }

    /** Whether the control was paused at {@code scope} ('' global) at {@code at}: the last change at or before it says. */
    boolean pausedAt(String scope, Instant at) {
        NavigableMap<Instant, ControlState> changes = byScope.get(scope);
        if (changes == null) {
            return false;
        }
        Map.Entry<Instant, ControlState> last = changes.floorEntry(at);
        return last != null && last.getValue() == ControlState.PAUSED;
    }
}
