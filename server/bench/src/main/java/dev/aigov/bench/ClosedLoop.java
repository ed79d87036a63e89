package dev.aigov.bench;

import java.time.Duration;

/**
 * A fixed number of calls in flight: each answer starts the next call at once, until the window
 * ends. Throughput is what the server sustains at that concurrency.
 */
final class ClosedLoop {
    private ClosedLoop() {
    }

    static RunResult run(Caller caller, Workload workload, int inFlight, Duration warmup, Duration duration, String label)
            throws InterruptedException {
        Window window = Window.startingNow(warmup, duration);
        Tally tally = new Tally(window.measureFrom(), window.measureUntil());
        InFlight outstanding = new InFlight();
        for (int slot = 0; slot < inFlight; slot++) {
            outstanding.started();
            sendNext(caller, workload, tally, outstanding, window.measureUntil());
        }
        long cpu = window.cpuDuringMeasurement();
        if (!outstanding.awaitNone(caller.deadline().plusSeconds(5))) {
            throw new IllegalStateException(outstanding.count() + " calls did not finish within their deadline");
        }
        return RunResult.of(label, inFlight, null, warmup, duration, tally, cpu);
    }

    /** One slot: send a call, and from its answer the next, until the window has passed. */
    private static void sendNext(Caller caller, Workload workload, Tally tally, InFlight outstanding, long until) {
        long now = System.nanoTime();
        if (now >= until) {
            outstanding.finished();
            return;
        }
        caller.send(workload.next(), now, tally, () -> sendNext(caller, workload, tally, outstanding, until));
    }
}
