package dev.aigov.bench;

import java.time.Duration;

/** Counts calls in flight, so that a run can wait (with a deadline) until the last one answered. */
final class InFlight {
    private int count;

    synchronized int count() {
        return count;
    }

    synchronized void started() {
        count++;
    }

    synchronized void finished() {
        if (--count == 0) {
            notifyAll();
        }
    }

    /** Waits until no call is in flight or the timeout passes; true when none is left. */
    synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
