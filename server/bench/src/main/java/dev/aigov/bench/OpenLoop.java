package dev.aigov.bench;

import java.time.Duration;

/**
 * A fixed offered rate: call {@code i} is meant to start at {@code begin + i / rate}, whatever
 * the earlier calls are doing, and its latency counts from that intended time. A slow server thus
 * shows as latency rather than as fewer calls (no coordinated omission). One scheduler thread
 * sends every call that is due, then parks until the next one; parking late only delays sending,
 * and the delay is in the latency.
 */
final class OpenLoop {
    private OpenLoop() {
    }

    /**
     * @param maxInFlight calls allowed outstanding; beyond, due calls are counted as not sent (the
     *                    offered rate was not sustained) instead of piling up without bound
     */
    static RunResult run(Caller caller, Workload workload, double rate, int maxInFlight, Duration warmup, Duration duration,
            String label) throws InterruptedException {
        Window window = Window.startingNow(warmup, duration);
        Tally tally = new Tally(window.measureFrom(), window.measureUntil());
        InFlight outstanding = new InFlight();
        double interval = 1e9 / rate;
        long cpuBefore = 0;
        boolean cpuSampled = false;
        for (long i = 0;; i++) {
            long intended = window.begin() + (long) (i * interval);
            if (intended >= window.measureUntil()) {
                break;
            }
            Window.parkUntil(intended);
            if (!cpuSampled && intended >= window.measureFrom()) {
                cpuBefore = ProcessCpu.nanos();
                cpuSampled = true;
            }
            if (outstanding.count() >= maxInFlight) {
                tally.notSent(intended);
                continue;
            }
            outstanding.started();
            caller.send(workload.next(), intended, tally, outstanding::finished);
        }
        Window.parkUntil(window.measureUntil());
        long cpu = ProcessCpu.nanos() - cpuBefore;
        if (!outstanding.awaitNone(caller.deadline().plusSeconds(5))) {
            throw new IllegalStateException(outstanding.count() + " calls did not finish within their deadline");
        }
        return RunResult.of(label, null, rate, warmup, duration, tally, cpu);
    }
}
