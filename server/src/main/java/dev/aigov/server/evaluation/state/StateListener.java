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
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link DecisionState} current over one dedicated connection: LISTEN for the change
 * notifications every mutation sends in its own transaction, apply each (reading the changed row
 * back), and check the state version every quarter of the staleness bound. A check whose version
 * the state has reached confirms the state as of the moment the check was sent. On (re)connect,
 * and whenever a notification is missing, the whole state is reloaded.
 */
public final class StateListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateListener.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

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
    /** A version check the state has not reached yet: (version read, when the check was sent). */
    private long pendingCheckVersion = -1;
    private long pendingCheckSentAt;

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
                // LISTEN before reading: a change committed after the read is then notified.
                StateRepository.listen(ctx);
                reload(ctx);
                // A large state takes a while to load: confirm it as of now, not as of the load's start.
                check(ctx, notifications);
                firstLoad.countDown();
                if (failing) {
                    LOG.info("Decision state listener reconnected; state reloaded at version {}", state.version());
                    failing = false;
                }
                backoffMillis = 50;
                follow(ctx, notifications);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!failing) {
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

    /** Applies notifications and checks the version until the connection fails or the listener closes. */
    private void follow(DSLContext ctx, PGConnection notifications) throws SQLException {
        long nextCheck = state.nanoTime() + checkIntervalNanos;
        while (!closed) {
            long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextCheck - state.nanoTime()));
            PGNotification[] received = notifications.getNotifications((int) Math.min(waitMillis, Integer.MAX_VALUE));
            if (!apply(ctx, received)) {
                reload(ctx);
                nextCheck = state.nanoTime();
            }
            if (state.nanoTime() - nextCheck >= 0) {
                check(ctx, notifications);
                nextCheck = state.nanoTime() + checkIntervalNanos;
            }
        }
    }

    /** Reads the version; confirms the state as of the moment the check was sent once the state reaches it. */
    private void check(DSLContext ctx, PGConnection notifications) throws SQLException {
        long sentAt = state.nanoTime();
        long committed = StateRepository.version(ctx);
        // Notifications already received; any still on their way are waited for as a pending check.
        if (!apply(ctx, notifications.getNotifications())) {
            reload(ctx);
        }
        if (state.version() >= committed) {
            state.confirmedAsOf(sentAt);
            pendingCheckVersion = -1;
        } else if (pendingCheckVersion < 0) {
            pendingCheckVersion = committed;
            pendingCheckSentAt = sentAt;
        } else if (sentAt - pendingCheckSentAt > state.maxStaleness().toNanos()) {
            LOG.warn("Decision state at version {} did not receive the notifications up to version {}; reloading",
                    state.version(), pendingCheckVersion);
            reload(ctx);
        }
    }

    /** Applies notifications in order; false when one is missing (the state must be reloaded). */
    private boolean apply(DSLContext ctx, PGNotification[] received) {
        if (received == null) {
            return true;
        }
        for (PGNotification notification : received) {
            String[] parts = notification.getParameter().split(" ", 3);
            long changeVersion;
            try {
                changeVersion = Long.parseLong(parts[0]);
            } catch (NumberFormatException malformed) {
                LOG.warn("A state notification that aigov did not send ({}); reloading", notification.getParameter());
                return false;
            }
            if (changeVersion <= state.version()) {
                continue;
            }
            if (changeVersion > state.version() + 1 || parts.length < 3) {
                return false;
            }
            String key = parts[2];
            DecisionState.Tables tables = state.tables();
            switch (parts[1]) {
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
                    TokenHash hash = TokenHash.ofHex(key);
                    put(tables.principals(), hash, StateRepository.activePrincipal(ctx, hash.bytes()));
                }
                // A TRUNCATE, or anything this version does not know: never guess, load it all.
                default -> {
                    return false;
                }
            }
            state.advanceTo(changeVersion);
            if (pendingCheckVersion >= 0 && changeVersion >= pendingCheckVersion) {
                state.confirmedAsOf(pendingCheckSentAt);
                pendingCheckVersion = -1;
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
        pendingCheckVersion = -1;
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
