package dev.aigov.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Prints runs as a table, then what needs a second look: errors, mismatches, an offered rate not held. */
final class ResultTable {
    private static final String FORMAT = "%-22s %-24s %12s %8s %8s %8s %9s %9s %13s %7s %7s %10s %9s%n";

    private ResultTable() {
    }

    static void print(PrintWriter out, List<RunResult> runs) {
        out.printf(Locale.ROOT, FORMAT, "label", "load", "decisions/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms",
                "answered p50/p99", "allow%", "errors", "mismatches", "gen µs/call");
        for (RunResult run : runs) {
            RunResult.Latency latency = run.latencyMs();
            out.printf(Locale.ROOT, FORMAT, run.label() == null ? "" : run.label(), load(run),
                    String.format(Locale.ROOT, "%,.0f", run.throughput()), ms(latency.p50()), ms(latency.p90()),
                    ms(latency.p99()), ms(latency.p999()), ms(latency.max()),
                    ms(run.answeredLatencyMs().p50()) + "/" + ms(run.answeredLatencyMs().p99()),
                    String.format(Locale.ROOT, "%.1f", run.allowShare() * 100), run.errorCount(), run.mismatches().total(),
                    String.format(Locale.ROOT, "%.1f", run.generatorCpuMicrosPerCall()));
        }
        for (RunResult run : runs) {
            notes(out, run);
        }
        out.flush();
    }

    static String load(RunResult run) {
        return run.inFlight() != null ? run.inFlight() + " in flight"
                : String.format(Locale.ROOT, "%,.0f/s offered (%,.0f sent)", run.offeredRate(), run.achievedRate());
    }

    private static void notes(PrintWriter out, RunResult run) {
        String where = load(run);
        if (run.mismatches().unsafeAllow() > 0) {
            out.printf("!!! %s: %d ALLOW answers where BLOCK was expected: the server allowed AI work it must block !!!%n",
                    where, run.mismatches().unsafeAllow());
        }
        if (run.mismatches().unexpectedBlock() + run.mismatches().wrongReason() > 0) {
            out.printf("%s: %d BLOCK answers where ALLOW was expected, %d blocks for another primary reason%n",
                    where, run.mismatches().unexpectedBlock(), run.mismatches().wrongReason());
        }
        if (!run.errors().isEmpty()) {
            out.printf("%s: errors %s%n", where, run.errors());
        }
        if (run.notSent() > 0) {
            out.printf("%s: the offered rate was not held: %d due calls not sent (--max-in-flight reached); latencies understate%n",
                    where, run.notSent());
        }
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, millis < 10 ? "%.2f" : "%.1f", millis);
    }
}
