package dev.aigov.server.identity;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A budget of failed authentications per peer (a token bucket: {@code burst} failures at once,
 * refilled at {@code perSecond}). Each attempt spends a unit before the token is looked up and a
 * success gives it back, so concurrent attempts cannot overdraw it. A peer that spent it is refused
 * before any database work, unless the token it presents authenticated recently (from anywhere):
 * an attacker guessing tokens from an address does not lock out a valid token used from there. Bounded in memory:
 * at most {@link #MAX_PEERS} peers and {@link #MAX_RECENT_TOKENS} token hashes.
 */
public final class FailedAuthentications {
    static final int MAX_PEERS = 10_000;
    static final int MAX_RECENT_TOKENS = 4_096;
    private static final String OVERFLOW_PEER = "*";

    private final double burst;
    private final double perNano;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<ByteBuffer, Boolean> recentlyValid = new ConcurrentHashMap<>();

    public FailedAuthentications(int burst, double perSecond) {
        this(burst, perSecond, System::nanoTime);
    }

    FailedAuthentications(int burst, double perSecond, LongSupplier nanoTime) {
        if (burst < 1) {
            throw new IllegalArgumentException("AIGOV_AUTH_FAILURE_BURST must be at least 1 (got " + burst + ")");
        }
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("AIGOV_AUTH_FAILURES_PER_SECOND must be positive (got " + perSecond + ")");
        }
        this.burst = burst;
        this.perNano = perSecond / 1e9;
        this.nanoTime = nanoTime;
    }

    /**
     * Spends one unit of {@code peer}'s budget on an attempt to authenticate (before it is known to
     * fail: concurrent attempts cannot overdraw it); empty when spent, otherwise how long until one
     * is available. A successful attempt gives its unit back ({@link #refund}).
     */
    public Optional<Duration> spend(String peer) {
        return bucketOf(peer).spend(nanoTime.getAsLong());
    }

    /** Gives back the unit an attempt spent that turned out not to fail. */
    public void refund(String peer) {
        bucketOf(peer).refund(nanoTime.getAsLong());
    }

    /** Whether this token authenticated recently: it needs no budget (and is checked as usual). */
    public boolean recentlyValid(byte[] tokenHash) {
        return recentlyValid.containsKey(ByteBuffer.wrap(tokenHash));
    }

    /** Forgets a token that no longer authenticates (revoked). */
    public void forget(byte[] tokenHash) {
        recentlyValid.remove(ByteBuffer.wrap(tokenHash));
    }

    /** Remembers a token that authenticated. */
    public void succeeded(byte[] tokenHash) {
        ByteBuffer key = ByteBuffer.wrap(tokenHash);
        if (recentlyValid.containsKey(key)) {
            return;
        }
        if (recentlyValid.size() >= MAX_RECENT_TOKENS) {
            recentlyValid.clear();
        }
        recentlyValid.put(key, Boolean.TRUE);
    }

    private Bucket bucketOf(String peer) {
        Bucket bucket = buckets.get(peer);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() >= MAX_PEERS) {
            long now = nanoTime.getAsLong();
            buckets.values().removeIf(candidate -> candidate.fullAt(now));
            if (buckets.size() >= MAX_PEERS) {
                // Beyond the bound every new peer shares one budget: an address-hopping attacker still pays.
                return buckets.computeIfAbsent(OVERFLOW_PEER, ignored -> new Bucket(now));
            }
        }
        return buckets.computeIfAbsent(peer, ignored -> new Bucket(nanoTime.getAsLong()));
    }

    /** A token bucket; starts full. */
    private final class Bucket {
        private double tokens = burst;
        private long last;

        Bucket(long now) {
            this.last = now;
        }

        synchronized Optional<Duration> spend(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos((long) Math.ceil((1 - tokens) / perNano)));
        }

        synchronized void refund(long now) {
            refill(now);
            tokens = Math.min(burst, tokens + 1);
        }

        synchronized boolean fullAt(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
        }
    }
}
