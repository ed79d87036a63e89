package dev.aigov.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Sets results of several {@code aigov-bench --json} files side by side (e.g. baseline and batched): per
 * in-flight level each file's throughput and p99 and the ratio of the last to the first; per
 * offered rate each file's p99.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Compare bench JSON result files side by side; the ratio is the last file's throughput over the first's.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Results written by aigov-bench --json.")
    List<Path> files;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<BenchResults> results = files.stream().map(BenchResults::read).toList();
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            names.add(Optional.ofNullable(results.get(i).label()).orElse(files.get(i).getFileName().toString()));
        }
        PrintWriter out = spec.commandLine().getOut();
        closedLoop(out, results, names);
        openLoop(out, results, names);
        problems(out, results, names);
        out.flush();
        return 0;
    }

    private static void closedLoop(PrintWriter out, List<BenchResults> results, List<String> names) {
        TreeSet<Integer> levels = new TreeSet<>();
        results.forEach(file -> file.runs().stream().map(RunResult::inFlight).filter(Objects::nonNull).forEach(levels::add));
        if (levels.isEmpty()) {
            return;
        }
        out.println("Closed loop: decisions/s and p99 (ms) per calls in flight");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-10s", "in flight"));
        names.forEach(name -> header.append(String.format(Locale.ROOT, " %14s %10s", name + " d/s", "p99 ms")));
        if (results.size() > 1) {
            header.append(String.format(Locale.ROOT, " %10s", ratioName(names)));
        }
        out.println(header);
        for (int level : levels) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-10d", level));
            for (BenchResults file : results) {
                Optional<RunResult> run = file.runs().stream().filter(r -> Objects.equals(r.inFlight(), level)).findFirst();
                row.append(run.map(r -> String.format(Locale.ROOT, " %,14.0f %10.2f", r.throughput(), r.latencyMs().p99()))
                        .orElse(String.format(Locale.ROOT, " %14s %10s", "-", "-")));
            }
            if (results.size() > 1) {
                Optional<RunResult> first = results.get(0).runs().stream().filter(r -> Objects.equals(r.inFlight(), level)).findFirst();
                Optional<RunResult> last = results.get(results.size() - 1).runs().stream()
                        .filter(r -> Objects.equals(r.inFlight(), level)).findFirst();
                row.append(first.isPresent() && last.isPresent() && first.get().throughput() > 0
                        ? String.format(Locale.ROOT, " %9.1fx", last.get().throughput() / first.get().throughput())
                        : String.format(Locale.ROOT, " %10s", "-"));
            }
            out.println(row);
        }
        out.println();
    }

    private static void openLoop(PrintWriter out, List<BenchResults> results, List<String> names) {
        TreeSet<Double> rates = new TreeSet<>();
        results.forEach(file -> file.runs().stream().map(RunResult::offeredRate).filter(Objects::nonNull).forEach(rates::add));
        if (rates.isEmpty()) {
            return;
        }
        out.println("Open loop: p99 (ms) at a fixed offered rate, latency from each call's intended start");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-10s", "offered/s"));
        names.forEach(name -> header.append(String.format(Locale.ROOT, " %14s %10s %10s", name + " sent/s", "p99 ms", "p99.9 ms")));
        out.println(header);
        for (double rate : rates) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-10.0f", rate));
            for (BenchResults file : results) {
                Optional<RunResult> run = file.runs().stream().filter(r -> Objects.equals(r.offeredRate(), rate)).findFirst();
                row.append(run.map(r -> String.format(Locale.ROOT, " %,14.0f %10.2f %10.2f", r.achievedRate(), r.latencyMs().p99(),
                        r.latencyMs().p999()))
                        .orElse(String.format(Locale.ROOT, " %14s %10s %10s", "-", "-", "-")));
            }
            out.println(row);
        }
        out.println();
    }

    private static void problems(PrintWriter out, List<BenchResults> results, List<String> names) {
        for (int i = 0; i < results.size(); i++) {
            for (RunResult run : results.get(i).runs()) {
                if (run.errorCount() > 0 || run.mismatches().total() > 0 || run.notSent() > 0) {
                    out.printf("%s, %s: %d errors %s, %d mismatches (%d unsafe ALLOW), %d not sent%n", names.get(i),
                            ResultTable.load(run), run.errorCount(), run.errors(), run.mismatches().total(),
                            run.mismatches().unsafeAllow(), run.notSent());
                }
            }
        }
    }

    private static String ratioName(List<String> names) {
        return names.get(names.size() - 1) + "/" + names.get(0);
    }
}
