package dev.aigov.bench;

import dev.aigov.api.v1.Decision;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one run saw, recorded from many call-back threads at once. A call is measured when it was
 * (meant to be) started inside the measurement window; latencies of measured calls go to an
 * HdrHistogram recorder, errors included (a slow failure is still a slow answer). Every answer is
 * checked, warm-up included, so that errors and mismatches count every call of the run.
 */
final class Tally {
    private final long windowStart;
    private final long windowEnd;
    private final Recorder latencies = new Recorder(3);
    private final Recorder answeredLatencies = new Recorder(3);
    private final LongAdder measured = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder allowed = new LongAdder();
    private final LongAdder checked = new LongAdder();
    private final LongAdder notSent = new LongAdder();
    private final Map<Expected.Verdict, LongAdder> verdicts = new EnumMap<>(Expected.Verdict.class);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    /** Calls started in [windowStart, windowEnd) ({@link System#nanoTime()}) are measured. */
    Tally(long windowStart, long windowEnd) {
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        // Filled once, read-only afterwards: safe to share between threads without a concurrent map.
        for (Expected.Verdict verdict : Expected.Verdict.values()) {
            verdicts.put(verdict, new LongAdder());
        }
    }

    long windowStart() {
        return windowStart;
    }

    long windowEnd() {
        return windowEnd;
    }

    boolean inWindow(long start) {
        return start >= windowStart && start < windowEnd;
    }

    void answered(long start, long end, Expected expected, Decision decision) {
        checked.increment();
        verdicts.get(expected.judge(decision)).increment();
        if (inWindow(start)) {
            measured.increment();
            answered.increment();
            if (decision.getOutcome() == dev.aigov.api.v1.Outcome.OUTCOME_ALLOW) {
                allowed.increment();
            }
            latencies.recordValue(Math.max(0, end - start));
            answeredLatencies.recordValue(Math.max(0, end - start));
        }
    }

    void failed(long start, long end, Throwable error) {
        errors.computeIfAbsent(ErrorDetails.describe(error), key -> new LongAdder()).increment();
        if (inWindow(start)) {
            measured.increment();
            latencies.recordValue(Math.max(0, end - start));
        }
    }

    /** An open-loop call the generator did not send because too many were already in flight. */
    void notSent(long intendedStart) {
        if (inWindow(intendedStart)) {
            notSent.increment();
        }
    }

    Histogram latencies() {
        return latencies.getIntervalHistogram();
    }

    /** Latencies of the calls answered with a decision only: what admitted calls saw. */
    Histogram answeredLatencies() {
        return answeredLatencies.getIntervalHistogram();
    }

    long measured() {
        return measured.sum();
    }

    long answered() {
        return answered.sum();
    }

    long allowed() {
        return allowed.sum();
    }

    long checked() {
        return checked.sum();
    }

    long notSent() {
        return notSent.sum();
    }

    long verdicts(Expected.Verdict verdict) {
        return verdicts.get(verdict).sum();
    }

    Map<String, Long> errors() {
        Map<String, Long> sorted = new TreeMap<>();
        errors.forEach((key, count) -> sorted.put(key, count.sum()));
        return sorted;
    }
}
