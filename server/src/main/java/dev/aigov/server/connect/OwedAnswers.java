package dev.aigov.server.connect;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The answers the port's connections are owed: counted from the request's arrival until its answer
 * is written (or its connection has gone). A stop waits for them before it closes the connections,
 * so a call finished within the grace is answered, not cut off.
 */
final class OwedAnswers {
    private int owed;

    synchronized void owe() {
        owed++;
    }

    synchronized void paid() {
        if (--owed == 0) {
            notifyAll();
        }
    }

    /** Waits up to {@code bound} until no answer is owed; whether none is. */
    synchronized boolean awaitPaid(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (owed > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
