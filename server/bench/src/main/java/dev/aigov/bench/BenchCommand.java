package dev.aigov.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The load generator: points at any running aigov and prints throughput and latency of
 * EvaluateAiRequest under a realistic, checked mix. Closed loop (N calls in flight) and open loop
 * (a fixed offered rate, latency from each call's intended start).
 */
@Command(name = "aigov-bench", mixinStandardHelpOptions = true, version = "aigov 0.1.0", sortOptions = false,
        description = {"Load a running aigov with EvaluateAiRequest calls and print throughput and latency.",
                "Sets the policies of its own workspaces (--workspace-prefix) first; refuses to run against a paused server."},
        subcommands = {PropagationCommand.class, ReportCommand.class, HealthCommand.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Callable<Integer> {
    // Checked in call(), not by picocli: `report` and the other subcommands do without them.
    @Option(names = "--target", paramLabel = "HOST:PORT", description = "The server to load (required).")
    String target;

    @Option(names = "--token", defaultValue = "${env:AIGOV_BENCH_TOKEN}",
            description = "Bearer token with ai.decisions.evaluate and workspace.ai_policy.manage, ideally ops.controls.view "
                    + "(env AIGOV_BENCH_TOKEN keeps it out of `ps`).")
    String token;

    @Option(names = "--concurrency", split = ",", paramLabel = "N",
            description = "Closed loop: calls kept in flight; several values (repeat or comma-separate) give one row each. "
                    + "Default 64 when no --rate is given.")
    List<Integer> concurrency = new ArrayList<>();

    @Option(names = "--rate", split = ",", paramLabel = "PER_SECOND",
            description = "Open loop: calls offered per second, latency measured from each call's intended start; one row per value.")
    List<Double> rates = new ArrayList<>();

    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
            description = "Load before measuring, per row, and once more before the first row (default ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--duration", defaultValue = "15s", converter = DurationConverter.class,
            description = "Measured time per row (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--workspaces", defaultValue = "1000", description = "Workspaces the mix spreads over (default ${DEFAULT-VALUE}).")
    int workspaces;

    @Option(names = "--workspace-prefix", defaultValue = "bench-",
            description = "The benchmark's own workspaces are PREFIX0, PREFIX1, ... (default ${DEFAULT-VALUE}).")
    String workspacePrefix;

    @Option(names = "--label", description = "A label for the rows, e.g. the mode of compare-hot-paths.sh (baseline, batched).")
    String label;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the results as JSON to FILE, or to stdout with '-' (the table then goes to stderr).")
    String json;

    @Option(names = "--channels", defaultValue = "2", description = "HTTP/2 connections, used round-robin (default ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--deadline", defaultValue = "10s", converter = DurationConverter.class,
            description = "Deadline of each call (default ${DEFAULT-VALUE}).")
    Duration deadline;

    @Option(names = "--protocol", defaultValue = "grpc", converter = ProtocolConverter.class,
            description = "How the evaluate calls are sent: grpc (to --target), connect-json or connect-proto (unary Connect, "
                    + "HTTP/1.1 keep-alive, to --connect-target) (default ${DEFAULT-VALUE}). The set-up is over gRPC either way.")
    Protocol protocol;

    @Option(names = "--connect-target", paramLabel = "HOST:PORT",
            description = "The server's Connect port (AIGOV_HTTP_PORT), for --protocol connect-json or connect-proto.")
    String connectTarget;

    @Option(names = "--max-in-flight", defaultValue = "4096",
            description = "Open loop: calls allowed outstanding before due calls are counted as not sent (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Mixin
    TargetOptions transport;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (target == null || token == null) {
            throw new ParameterException(spec.commandLine(), "aigov-bench needs --target and --token (or AIGOV_BENCH_TOKEN)");
        }
        if (concurrency.stream().anyMatch(n -> n < 1) || rates.stream().anyMatch(r -> !(r > 0)) || channels < 1 || maxInFlight < 1
                || duration.isZero() || duration.isNegative() || warmup.isNegative()) {
            throw new ParameterException(spec.commandLine(),
                    "--concurrency, --rate, --channels, --max-in-flight and --duration must be positive, --warmup not negative");
        }
        if (protocol != Protocol.GRPC && (connectTarget == null || transport.tlsCa() != null)) {
            throw new ParameterException(spec.commandLine(),
                    "--protocol " + protocol + " needs --connect-target (the Connect port, plaintext: no --tls-ca)");
        }
        boolean jsonToStdout = "-".equals(json);
        PrintWriter out = jsonToStdout ? spec.commandLine().getErr() : spec.commandLine().getOut();
        List<Integer> closed = concurrency.isEmpty() && rates.isEmpty() ? List.of(64) : concurrency;
        Workload workload = new Workload(workspacePrefix, workspaces);
        String startedAt = Instant.now().toString();
        List<RunResult> runs = new ArrayList<>();
        long unsafeAllows = 0;
        try (Target server = Target.connect(target, transport.tlsCa(), channels);
             ConnectCaller connect = protocol == Protocol.GRPC ? null
                     : new ConnectCaller(connectTarget, token, deadline, protocol == Protocol.CONNECT_PROTO)) {
            new Setup(server, token, out).prepare(workload);
            Caller caller = connect != null ? connect : new GrpcCaller(server, token, deadline);
            unsafeAllows += warmUpBothJvms(out, caller, workload);
            for (int inFlight : closed) {
                runs.add(ClosedLoop.run(caller, workload, inFlight, warmup, duration, label));
                progress(out, runs);
            }
            for (double rate : rates) {
                runs.add(OpenLoop.run(caller, workload, rate, maxInFlight, warmup, duration, label));
                progress(out, runs);
            }
        }
        out.println();
        ResultTable.print(out, runs);
        if (json != null) {
            String document = new BenchResults(BenchResults.TOOL, startedAt, protocol == Protocol.GRPC ? target : connectTarget,
                    protocol.label(), label,
                    new BenchResults.Mix(workspaces, workspacePrefix, Workload.EXPECTED_ALLOW_SHARE), runs).toJson();
            if (jsonToStdout) {
                spec.commandLine().getOut().println(document);
                spec.commandLine().getOut().flush();
            } else {
                write(Path.of(json), document);
            }
        }
        unsafeAllows += runs.stream().mapToLong(run -> run.mismatches().unsafeAllow()).sum();
        // A distinct exit code, so that a script notices the one failure that must never pass.
        return unsafeAllows > 0 ? 3 : 0;
    }

    /**
     * Loads the server once before the first row, so that the first row (often 1 in flight, too few
     * calls to get the JIT going) measures compiled code on both sides, not the compiler.
     */
    private long warmUpBothJvms(PrintWriter out, Caller caller, Workload workload) throws InterruptedException {
        if (warmup.isZero()) {
            return 0;
        }
        RunResult run = ClosedLoop.run(caller, workload, WARM_UP_IN_FLIGHT, Duration.ZERO, warmup, "warm-up");
        out.printf(java.util.Locale.ROOT, "warm-up (%d in flight, %d s): %,d calls, %d errors, %d mismatches%n", WARM_UP_IN_FLIGHT,
                warmup.toSeconds(), run.checked() + run.errorCount(), run.errorCount(), run.mismatches().total());
        if (run.mismatches().unsafeAllow() > 0) {
            out.printf("!!! warm-up: %d ALLOW answers where BLOCK was expected !!!%n", run.mismatches().unsafeAllow());
        }
        return run.mismatches().unsafeAllow();
    }

    private static final int WARM_UP_IN_FLIGHT = 16;

    /** How the measured calls travel: {@code grpc}, {@code connect-json} or {@code connect-proto} on the command line. */
    enum Protocol {
        GRPC, CONNECT_JSON, CONNECT_PROTO;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        @Override
        public String toString() {
            return label();
        }
    }

    /** {@code --protocol}'s values, as {@link Protocol#label()} spells them. */
    static final class ProtocolConverter implements CommandLine.ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String value) {
            for (Protocol protocol : Protocol.values()) {
                if (protocol.label().equals(value)) {
                    return protocol;
                }
            }
            throw new CommandLine.TypeConversionException("expected grpc, connect-json or connect-proto, not '" + value + "'");
        }
    }

    /** One line as each row finishes, so that a long run shows it is alive. */
    private static void progress(PrintWriter out, List<RunResult> runs) {
        RunResult run = runs.get(runs.size() - 1);
        out.printf(java.util.Locale.ROOT, "%s: %,.0f decisions/s, p99 %.2f ms, %d errors, %d mismatches%n", ResultTable.load(run),
                run.throughput(), run.latencyMs().p99(), run.errorCount(), run.mismatches().total());
        out.flush();
    }

    private static void write(Path file, String document) {
        try {
            Files.writeString(file, document + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }
}
