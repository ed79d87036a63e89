package dev.aigov.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** The time line of one run: warm-up, then the measurement window, both on {@link System#nanoTime()}. */
record Window(long begin, long measureFrom, long measureUntil) {
    static Window startingNow(Duration warmup, Duration duration) {
        long begin = System.nanoTime();
        long from = begin + warmup.toNanos();
        return new Window(begin, from, from + duration.toNanos());
    }

    /** Parks the calling thread until {@code instant}: pacing a schedule, not waiting for another thread. */
    static void parkUntil(long instant) {
        for (long left = instant - System.nanoTime(); left > 0; left = instant - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** The process CPU used during the measurement window, sampled at its edges by the calling thread. */
    long cpuDuringMeasurement() {
        parkUntil(measureFrom);
        long before = ProcessCpu.nanos();
        parkUntil(measureUntil);
        return ProcessCpu.nanos() - before;
    }
}
