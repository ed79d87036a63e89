package dev.aigov.bench;

import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One row of results: what the JSON output holds per run, field for field (docs/performance.md
 * documents them). Latencies are in milliseconds; rates per second.
 *
 * @param loop          {@code closed} (a fixed number of calls in flight) or {@code open} (a fixed offered rate)
 * @param inFlight      closed loop: calls kept in flight; null for an open loop
 * @param offeredRate   open loop: calls per second offered; null for a closed loop
 * @param measuredCalls calls started (open loop: meant to start) inside the measurement window
 * @param throughput    answered decisions per second in the window: each one durably audited by the server
 * @param achievedRate  measured calls sent per second (open loop: compare with offeredRate)
 * @param allowShare    share of the window's answers that were ALLOW
 * @param errors        every call of the run that failed, by gRPC status code and ErrorInfo reason
 * @param answeredLatencyMs the latency of the calls answered with a decision only (refusals left out)
 * @param mismatches    every answer of the run that differed from the expected one
 * @param checked       answers checked, warm-up included
 * @param notSent       open loop: calls the generator did not send because --max-in-flight were outstanding
 * @param generatorCpuMicrosPerCall CPU time of the load generator's whole process per measured call
 * @param generatorCpuCores         the same as a number of cores kept busy
 */
record RunResult(
        String label,
        String loop,
        Integer inFlight,
        Double offeredRate,
        double warmupSeconds,
        double durationSeconds,
        long measuredCalls,
        long answered,
        double throughput,
        double achievedRate,
        Latency latencyMs,
        Latency answeredLatencyMs,
        long allowed,
        double allowShare,
        Map<String, Long> errors,
        long errorCount,
        Mismatches mismatches,
        long checked,
        long notSent,
        double generatorCpuMicrosPerCall,
        double generatorCpuCores) {

    /** Latency percentiles of measured calls, in milliseconds. */
    record Latency(double p50, double p90, double p99, double p999, double max, double mean) {
        static Latency of(Histogram nanos) {
            return new Latency(millis(nanos.getValueAtPercentile(50)), millis(nanos.getValueAtPercentile(90)),
                    millis(nanos.getValueAtPercentile(99)), millis(nanos.getValueAtPercentile(99.9)),
                    millis(nanos.getMaxValue()), nanos.getTotalCount() == 0 ? 0 : nanos.getMean() / 1e6);
        }

        private static double millis(long nanos) {
            return nanos / 1e6;
        }
    }

    /** Answers that were not the expected ones, by kind; {@code unsafeAllow} is the serious kind. */
    record Mismatches(long unsafeAllow, long unexpectedBlock, long wrongReason) {
        long total() {
            return unsafeAllow + unexpectedBlock + wrongReason;
        }
    }

    static RunResult of(String label, Integer inFlight, Double offeredRate, Duration warmup, Duration duration,
            Tally tally, long cpuNanos) {
        double seconds = duration.toNanos() / 1e9;
        long measured = tally.measured();
        long answered = tally.answered();
        Map<String, Long> errors = tally.errors();
        return new RunResult(label, inFlight == null ? "open" : "closed", inFlight, offeredRate,
                warmup.toNanos() / 1e9, seconds, measured, answered, answered / seconds, measured / seconds,
                Latency.of(tally.latencies()), Latency.of(tally.answeredLatencies()), tally.allowed(),
                answered == 0 ? 0 : (double) tally.allowed() / answered,
                errors, errors.values().stream().mapToLong(Long::longValue).sum(),
                new Mismatches(tally.verdicts(Expected.Verdict.UNSAFE_ALLOW), tally.verdicts(Expected.Verdict.UNEXPECTED_BLOCK),
                        tally.verdicts(Expected.Verdict.WRONG_REASON)),
                tally.checked(), tally.notSent(),
                measured == 0 ? 0 : cpuNanos / 1e3 / measured, cpuNanos / 1e9 / seconds);
    }
}
