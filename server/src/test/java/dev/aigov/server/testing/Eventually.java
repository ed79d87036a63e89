package dev.aigov.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds, failing the test past a deadline: synchronisation without sleeps that guess. */
public final class Eventually {
    private Eventually() {
    }

    /** Returns once {@code condition} holds; fails when it has not within {@code bound}. */
    public static void within(Duration bound, BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within %s", bound).isLessThan(deadline);
            try {
                Thread.sleep(5); // pacing only: the deadline decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
