package dev.aigov.server.testing;

import dev.aigov.server.evaluation.commit.GroupCommitRecorder;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;

/**
 * Holds every batch of an audit writer before its state lock until released: the calls in those
 * batches stay in flight, decided but not recorded. Release it (or let the 30-second guard pass)
 * before the server stops.
 */
public final class HeldBatches implements GroupCommitRecorder.BatchHook, AutoCloseable {
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    private HeldBatches() {
    }

    /** From now on, every batch of {@code writer} waits for {@link #release()}. */
    public static HeldBatches holdEveryBatchOf(GroupCommitRecorder writer) {
        HeldBatches hook = new HeldBatches();
        writer.onEachBatch(hook);
        return hook;
    }

    @Override
    public void beforeStateLock(DSLContext tx, int batchSize) {
        held.countDown();
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a batch reached the hold within {@code within}. */
    public boolean awaitHeld(Duration within) throws InterruptedException {
        return held.await(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void release() {
        release.countDown();
    }

    @Override
    public void close() {
        release();
    }
}
