package dev.aigov.server.evaluation.state;

import dev.aigov.server.control.ExecutionControl;
import dev.aigov.server.error.Causes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link DecisionState} current over one dedicated connection. The database's change log
 * ({@code state_changes}, written only by the state tables' triggers) is the source: each wake-up
 * reads the committed version and the changes after the one applied, in one snapshot, and applies
 * them in version order, gap-free, reading each changed row back. A notification on
 * {@code aigov_state} only wakes the listener early; its payload is never read, so a forged one
 * costs one read of the log and changes nothing. Any anomaly (a gap, a log that does not end at the
 * committed version, a committed version lower than the one applied, more than
 * {@link #MAX_PENDING_CHANGES} changes at once, a TRUNCATE) reloads the whole state. Each read of the
 * log confirms the state as of the moment it was sent; at the latest every quarter of the staleness
 * bound. Nothing ends the listener but {@link #close()}: any failure, an {@link Error} included, is
 * logged and followed by a reconnect and a reload, while the state goes stale and fails closed.
 */
public final class StateListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateListener.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    /** More changes than this waiting at once (a bulk change by hand): reload instead of reading them row by row. */
    public static final int MAX_PENDING_CHANGES = 1_000;

    /** Opens a connection of its own (not from the pool: LISTEN belongs to a session). */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    private final DecisionState state;
    private final ConnectionFactory connections;
    private final long checkIntervalNanos;
    private final Thread thread;
    private final CountDownLatch firstLoad = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile Connection connection;

    private StateListener(DecisionState state, ConnectionFactory connections) {
        this.state = state;
        this.connections = connections;
        this.checkIntervalNanos = Math.max(Duration.ofMillis(5).toNanos(), state.maxStaleness().toNanos() / 4);
        this.thread = new Thread(this::run, "aigov-state-listener");
        this.thread.setDaemon(true);
    }

    /**
     * Starts listening and waits up to {@code firstLoadWait} for the first load. The server may
     * serve before it: until the state is confirmed, evaluations answer STATE_STALE.
     */
    public static StateListener start(DecisionState state, ConnectionFactory connections, Duration firstLoadWait) {
        StateListener listener = new StateListener(state, connections);
        listener.thread.start();
        try {
            if (!listener.firstLoad.await(firstLoadWait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("The decision state is not loaded yet; evaluations answer UNAVAILABLE (STATE_STALE) until it is");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return listener;
    }

    private void run() {
        long backoffMillis = 50;
        boolean failing = false;
        while (!closed) {
            try (Connection opened = connections.open()) {
                connection = opened;
                DSLContext ctx = DSL.using(opened, SQLDialect.POSTGRES);
                PGConnection notifications = opened.unwrap(PGConnection.class);
                // LISTEN before reading: a change committed after the read wakes the listener.
                StateRepository.listen(ctx);
                reload(ctx);
                // A large state takes a while to load: confirm it as of now, not as of the load's start.
                catchUp(ctx);
                firstLoad.countDown();
                if (failing) {
                    LOG.info("Decision state listener reconnected; state reloaded at version {}", state.version());
                    failing = false;
                }
                backoffMillis = 50;
                follow(ctx, notifications);
            } catch (Throwable e) { // anything: the listener must outlive it, while the state fails closed
                if (closed) {
                    return;
                }
                if (e instanceof Error) {
                    LOG.error("Decision state listener failed ({}); evaluations fail closed once the state is older than {} ms; "
                            + "reconnecting and reloading", e, state.maxStaleness().toMillis(), e);
                    failing = true;
                } else if (!failing) {
                    LOG.warn("Decision state listener lost its database connection ({}); evaluations fail closed once the state is "
                            + "older than {} ms; reconnecting", Causes.rootMessage(e), state.maxStaleness().toMillis());
                    failing = true;
                }
                pause(backoffMillis);
                backoffMillis = Math.min(MAX_BACKOFF.toMillis(), backoffMillis * 2);
            } finally {
                connection = null;
            }
        }
    }

    /** Reads the log on every wake-up (a notification, or the check interval) until the connection fails or the listener closes. */
    private void follow(DSLContext ctx, PGConnection notifications) throws SQLException {
        while (!closed) {
            // The payloads are not read: a notification only says "read the log now".
            notifications.getNotifications((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(checkIntervalNanos)));
            catchUp(ctx);
        }
    }

    /**
     * Applies the log's changes after the applied version, or reloads on any anomaly; confirms the
     * state as of the moment the read was sent.
     */
    private void catchUp(DSLContext ctx) {
        long sentAt = state.nanoTime();
        long applied = state.version();
        StateRepository.Changes read = StateRepository.changesAfter(ctx, applied, MAX_PENDING_CHANGES + 1);
        long committed = read.committedVersion();
        String anomaly = null;
        if (committed < applied) {
            anomaly = "the database's state version " + committed + " is lower than the version applied, " + applied;
        } else if (read.changes().size() > MAX_PENDING_CHANGES) {
            LOG.info("More than {} changes of the decision state are waiting (a bulk change); reloading", MAX_PENDING_CHANGES);
            reload(ctx);
            return;
        } else {
            long expected = applied + 1;
            for (StateRepository.Change change : read.changes()) {
                if (change.version() != expected || change.version() > committed) {
                    anomaly = "the change log has version " + change.version() + " where " + expected + " was expected (committed: "
                            + committed + ")";
                    break;
                }
                if (!apply(ctx, change)) {
                    LOG.info("Decision state change {} ({} {}) changes a whole table; reloading", change.version(), change.table(),
                            change.key().orElse("(all rows)"));
                    reload(ctx);
                    return;
                }
                state.advanceTo(change.version());
                expected++;
            }
            if (anomaly == null && state.version() != committed) {
                anomaly = "the change log ends at version " + state.version() + " but the committed version is " + committed;
            }
        }
        if (anomaly != null) {
            LOG.warn("Decision state anomaly: {}; reloading", anomaly);
            reload(ctx);
            return;
        }
        state.confirmedAsOf(sentAt);
    }

    /** Applies one change by reading its row back; false when it cannot be applied row by row (reload). */
    private boolean apply(DSLContext ctx, StateRepository.Change change) {
        if (change.key().isEmpty()) {
            return false;
        }
        String key = change.key().get();
        DecisionState.Tables tables = state.tables();
        switch (change.table()) {
            case "workspace_policies" -> put(tables.policies(), key, StateRepository.policy(ctx, key));
            case "execution_controls" -> {
                int slash = key.indexOf('/');
                if (slash < 0) {
                    return false;
                }
                if (key.substring(0, slash).equals(ExecutionControl.AI_EXECUTION)) {
                    put(tables.controls(), key.substring(slash + 1),
                            StateRepository.control(ctx, key.substring(0, slash), key.substring(slash + 1)));
                }
            }
            case "principals" -> {
                TokenHash hash;
                try {
                    hash = TokenHash.ofHex(key);
                } catch (IllegalArgumentException malformed) {
                    return false;
                }
                put(tables.principals(), hash, StateRepository.activePrincipal(ctx, hash.bytes()));
            }
            // Anything this version does not know: never guess, load it all.
            default -> {
                return false;
            }
        }
        return true;
    }

    private static <K, V> void put(java.util.Map<K, V> map, K key, Optional<V> value) {
        value.ifPresentOrElse(present -> map.put(key, present), () -> map.remove(key));
    }

    /** Loads the whole state; it is published whole, with the version read before the rows. */
    private void reload(DSLContext ctx) {
        long sentAt = state.nanoTime();
        long started = System.nanoTime();
        DecisionState.Tables loaded =
                new DecisionState.Tables(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        long loadedVersion = ctx.transactionResult(configuration -> {
            DSLContext tx = configuration.dsl();
            // Version first: the rows read after it are at least that new.
            long atVersion = StateRepository.version(tx);
            StateRepository.forEachControl(tx, loaded.controls()::put);
            StateRepository.forEachPolicy(tx, loaded.policies()::put);
            StateRepository.forEachActivePrincipal(tx, (hash, principal) -> loaded.principals().put(new TokenHash(hash), principal));
            return atVersion;
        });
        state.replace(loaded, loadedVersion);
        state.confirmedAsOf(sentAt);
        LOG.info("Decision state loaded at version {}: {} workspace policies, {} execution controls, {} active tokens, in {} ms",
                loadedVersion, loaded.policies().size(), loaded.controls().size(), loaded.principals().size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops listening; the state is left as it is (and goes stale). */
    @Override
    public void close() {
        closed = true;
        Connection open = connection;
        if (open != null) {
            try {
                open.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
