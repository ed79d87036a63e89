package dev.aigov.server.audit;

import dev.aigov.server.storage.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records refused mutations without letting a flood of them grow the trail without bound. Per
 * time window and per (peer, method, status, reason), the first {@code individualPerWindow}
 * refusals are recorded one by one, as they happen; the rest are counted in memory and recorded
 * as one aggregate event (count, first and last time) when the window ends, or at shutdown. So an
 * attack of any length adds at most {@code individualPerWindow + 1} rows per key and window, and
 * at most {@link #MAX_KEYS} keys are tracked per window (beyond, new peers share the key "*").
 * A refusal stands even when its record cannot be written (that is logged).
 */
public final class DeniedMutations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeniedMutations.class);
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final int DEFAULT_INDIVIDUAL_PER_WINDOW = 10;
    static final int MAX_KEYS = 10_000;
    private static final String OVERFLOW_PEER = "*";

    private record Key(String peer, String method, String statusCode, String errorReason) {
    }

    /** The refusals of one key in the current window. Guarded by itself. */
    private static final class Tally {
        int individual;
        int repeats;
        Instant first;
        Instant last;
    }

    private final DSLContext dsl;
    private final Clock clock;
    private final AuditLog log;
    private final int individualPerWindow;
    private final ReadWriteLock windowLock = new ReentrantReadWriteLock();
    private Map<Key, Tally> window = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher;

    public DeniedMutations(DSLContext dsl, Clock clock, AuditLog log) {
        this(dsl, clock, log, DEFAULT_WINDOW, DEFAULT_INDIVIDUAL_PER_WINDOW);
    }

    public DeniedMutations(DSLContext dsl, Clock clock, AuditLog log, Duration windowLength, int individualPerWindow) {
        if (windowLength.compareTo(Duration.ofSeconds(1)) < 0 || individualPerWindow < 1) {
            throw new IllegalArgumentException("the window must be at least 1 s and at least one refusal recorded on its own");
        }
        this.dsl = dsl;
        this.clock = clock;
        this.log = log;
        this.individualPerWindow = individualPerWindow;
        this.flusher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("aigov-denied-mutations").daemon().factory());
        flusher.scheduleAtFixedRate(this::flush, windowLength.toMillis(), windowLength.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A refused mutation: recorded now if it is among the first of its key in this window,
     * counted for the window's aggregate otherwise.
     *
     * @param principal   the token's name; empty when unauthenticated
     * @param workspaceId the workspace the mutation named; empty when none or unknown
     * @param peer        the caller's address (identity.Peers)
     */
    public void record(String method, String statusCode, String errorReason, String capability, String principal,
            String workspaceId, Optional<UUID> requestId, String peer) {
        Instant now = clock.instant();
        if (!tally(new Key(peer, method, statusCode, errorReason), now, true)) {
            return;
        }
        try {
            Transactions.inTransaction(dsl, "recording a denied mutation", tx -> {
                log.append(tx, new AuditEvent.MutationDenied(
                        new AuditEvent.Header(UUID.randomUUID(), now, workspaceId, principal, requestId),
                        method, statusCode, errorReason, capability, peer, 0, Optional.empty(), Optional.empty()));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.error("Could not record the denied {} of {} ({}): {}", method,
                    principal.isEmpty() ? "an unauthenticated caller" : principal,
                    statusCode, e.getMessage());
        }
    }

    /** A refused mutation that must cost no database work now (a throttled peer): counted for the window's aggregate. */
    public void count(String method, String statusCode, String errorReason, String peer) {
        tally(new Key(peer, method, statusCode, errorReason), clock.instant(), false);
    }

    /** Counts one refusal; true when it is to be recorded on its own. */
    private boolean tally(Key key, Instant now, boolean individualAllowed) {
        windowLock.readLock().lock();
        try {
            Key bounded = window.size() < MAX_KEYS || window.containsKey(key) ? key
                    : new Key(OVERFLOW_PEER, key.method(), key.statusCode(), key.errorReason());
            Tally tally = window.computeIfAbsent(bounded, ignored -> new Tally());
            synchronized (tally) {
                if (individualAllowed && tally.individual < individualPerWindow) {
                    tally.individual++;
                    return true;
                }
                tally.repeats++;
                if (tally.first == null) {
                    tally.first = now;
                }
                tally.last = now;
                return false;
            }
        } finally {
            windowLock.readLock().unlock();
        }
    }

    /** Ends the window: records one aggregate event per key that had repeats. Never throws. */
    void flush() {
        Map<Key, Tally> ended;
        windowLock.writeLock().lock();
        try {
            ended = window;
            window = new ConcurrentHashMap<>();
        } finally {
            windowLock.writeLock().unlock();
        }
        List<AuditEvent.MutationDenied> aggregates = new ArrayList<>();
        long refusals = 0;
        for (Map.Entry<Key, Tally> entry : ended.entrySet()) {
            Tally tally = entry.getValue();
            synchronized (tally) {
                if (tally.repeats == 0) {
                    continue;
                }
                Key key = entry.getKey();
                refusals += tally.repeats;
                aggregates.add(new AuditEvent.MutationDenied(
                        new AuditEvent.Header(UUID.randomUUID(), tally.last, "", "", Optional.empty()),
                        key.method(), key.statusCode(), key.errorReason(), "", key.peer(), tally.repeats,
                        Optional.of(tally.first), Optional.of(tally.last)));
            }
        }
        if (aggregates.isEmpty()) {
            return;
        }
        try {
            Transactions.inTransaction(dsl, "recording repeated denied mutations", tx -> {
                aggregates.forEach(event -> log.append(tx, event));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.error("Could not record {} repeated denied mutation(s) in {} aggregate event(s): {}", refusals, aggregates.size(),
                    e.getMessage());
        }
    }

    /** Stops the window timer and records the current window's aggregates. */
    @Override
    public void close() {
        flusher.shutdownNow();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
