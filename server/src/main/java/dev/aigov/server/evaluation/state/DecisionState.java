package dev.aigov.server.evaluation.state;

import dev.aigov.core.ControlStatus;
import dev.aigov.core.PolicyStatus;
import dev.aigov.core.Snapshot;
import dev.aigov.server.error.StateStale;
import dev.aigov.server.evaluation.SnapshotSource;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.identity.PrincipalLookup;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The decision state of one replica, in memory: the {@code ai.execution} controls, the workspace
 * policies that were ever set and the active principals, with the state version they reflect.
 * {@link StateListener} keeps it current; decisions read it without a database round trip.
 *
 * <p>Fail closed: unless the state was confirmed current within {@code maxStaleness}, every
 * snapshot is refused with {@link StateStale}.
 *
 * <p>Ordering: the listener changes the maps first and publishes the version after; a reader
 * reads the version first and the maps after. A snapshot is therefore never older than the version
 * it reports (it may be newer), which is what the group-commit writer's version check relies on.
 */
public final class DecisionState implements SnapshotSource {
    /** The maps of one loaded state; a reload replaces them whole, so no reader sees half of one. */
    record Tables(Map<String, ControlStatus> controls, Map<String, PolicyStatus> policies, Map<TokenHash, Principal> principals) {
        static Tables empty() {
            return new Tables(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }
    }

    private final Duration maxStaleness;
    private final long maxStalenessNanos;
    private final LongSupplier nanoClock;
    private volatile Tables tables = Tables.empty();
    private volatile long version = -1;
    private volatile long confirmedAtNanos;
    private volatile boolean everConfirmed;
    private final long createdAtNanos;

    public DecisionState(Duration maxStaleness) {
        this(maxStaleness, System::nanoTime);
    }

    DecisionState(Duration maxStaleness, LongSupplier nanoClock) {
        this.maxStaleness = maxStaleness;
        this.maxStalenessNanos = maxStaleness.toNanos();
        this.nanoClock = nanoClock;
        this.createdAtNanos = nanoClock.getAsLong();
    }

    @Override
    public Snapshot snapshotFor(String workspaceId) {
        long atVersion = version;
        if (!current()) {
            throw new StateStale(maxStaleness);
        }
        Tables now = tables;
        return new Snapshot(
                now.controls.getOrDefault(StateRepository.GLOBAL, ControlStatus.NEVER_CHANGED),
                now.controls.getOrDefault(workspaceId, ControlStatus.NEVER_CHANGED),
                now.policies.getOrDefault(workspaceId, PolicyStatus.DEFAULT),
                atVersion);
    }

    /** Whether the state was confirmed current within the staleness bound. */
    public boolean current() {
        return everConfirmed && nanoClock.getAsLong() - confirmedAtNanos <= maxStalenessNanos;
    }

    /** The active principal holding this token hash, as far as this state knows. */
    public Optional<Principal> principal(byte[] tokenHash) {
        return Optional.ofNullable(tables.principals.get(new TokenHash(tokenHash)));
    }

    /**
     * Tokens from memory while the state is current; from {@code fallback} (the database) while it
     * is not, and for a token memory does not hold (one minted a moment ago, not yet notified).
     */
    public PrincipalLookup principals(PrincipalLookup fallback) {
        return tokenHash -> {
            if (!current()) {
                return fallback.findActive(tokenHash);
            }
            Optional<Principal> held = principal(tokenHash);
            return held.isPresent() ? held : fallback.findActive(tokenHash);
        };
    }

    /** The state version applied: every change up to it is reflected. -1 before the first load. */
    public long version() {
        return version;
    }

    /** How many workspaces have a policy or a control of their own in memory. */
    public int workspacesHeld() {
        Tables now = tables;
        return now.policies.size() + (int) now.controls.keySet().stream().filter(ws -> !now.policies.containsKey(ws)
                && !ws.equals(StateRepository.GLOBAL)).count();
    }

    public Duration maxStaleness() {
        return maxStaleness;
    }

    /**
     * How long ago the state was last confirmed current; before it ever was, how long this state has
     * existed (a state that never loaded is as stale as it is old, and alerts must see it).
     */
    public Duration age() {
        return Duration.ofNanos(nanoClock.getAsLong() - (everConfirmed ? confirmedAtNanos : createdAtNanos));
    }

    /** What is paused, as this state knows it. */
    public record PausedScopes(boolean global, int workspaces) {
    }

    /** Whether AI is paused globally, and in how many workspaces of their own (a scan: for scrapes, not decisions). */
    public PausedScopes pausedScopes() {
        Map<String, ControlStatus> controls = tables.controls;
        int workspaces = 0;
        for (Map.Entry<String, ControlStatus> control : controls.entrySet()) {
            if (control.getValue().paused() && !control.getKey().equals(StateRepository.GLOBAL)) {
                workspaces++;
            }
        }
        return new PausedScopes(controls.getOrDefault(StateRepository.GLOBAL, ControlStatus.NEVER_CHANGED).paused(), workspaces);
    }

    // The listener's side: one thread only.

    void replace(Tables loaded, long loadedVersion) {
        tables = loaded;
        version = loadedVersion;
    }

    Tables tables() {
        return tables;
    }

    void advanceTo(long applied) {
        version = applied;
    }

    /** The state reflected every change committed before {@code nanos} (a reading of the same clock). */
    void confirmedAsOf(long nanos) {
        if (!everConfirmed || nanos - confirmedAtNanos > 0) {
            confirmedAtNanos = nanos;
        }
        everConfirmed = true;
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }
}
