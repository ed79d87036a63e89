package dev.aigov.bench;

import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.identity.PrincipalRepository;
import dev.aigov.server.identity.TokenAdministration;
import dev.aigov.server.storage.Database;
import io.grpc.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How fast a change made through one replica reaches another: pause {@code ai.execution} for a
 * workspace on A and time until B blocks it (then resume, and time until B allows again); mint
 * a token, and time from its revocation until B rejects it.
 */
@Command(name = "propagation", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time how long a pause, a resume and a token revocation take to reach another replica.",
                "Pauses and resumes only its own fresh workspace (bench-propagation-*); mints and revokes its own tokens."})
final class PropagationCommand implements Callable<Integer> {
    @Option(names = "--target-a", required = true, paramLabel = "HOST:PORT", description = "The replica that takes the changes.")
    String targetA;

    @Option(names = "--target-b", required = true, paramLabel = "HOST:PORT", description = "The replica that is polled.")
    String targetB;

    @Option(names = "--token", required = true, defaultValue = "${env:AIGOV_BENCH_TOKEN}",
            description = "Bearer token with ai.decisions.evaluate, workspace.ai_policy.manage and ops.controls.manage (env AIGOV_BENCH_TOKEN).")
    String token;

    @Option(names = "--db-url", required = true, defaultValue = "${env:AIGOV_DB_URL}",
            description = "JDBC URL of the replicas' PostgreSQL, to mint and revoke tokens (env AIGOV_DB_URL).")
    String dbUrl;

    @Option(names = "--db-user", defaultValue = "${env:AIGOV_DB_USER}",
            description = "Database user (env AIGOV_DB_USER); the password comes from AIGOV_DB_PASSWORD.")
    String dbUser;

    @Option(names = "--toggles", defaultValue = "200", description = "Pause/resume rounds (default ${DEFAULT-VALUE}).")
    int toggles;

    @Option(names = "--revocations", defaultValue = "50",
            description = "Token revocation rounds; each mints a principal (default ${DEFAULT-VALUE}).")
    int revocations;

    @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "Give up on one change reaching B after this long (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Mixin
    TargetOptions transport;

    @Spec
    CommandSpec spec;

    /** One measured kind of change: how long it took to reach B, in milliseconds. */
    record Row(String change, long rounds, long timeouts, double p50, double p99, double max) {
        static Row of(String change, Histogram nanos, long timeouts) {
            return new Row(change, nanos.getTotalCount(), timeouts, nanos.getValueAtPercentile(50) / 1e6,
                    nanos.getValueAtPercentile(99) / 1e6, nanos.getMaxValue() / 1e6);
        }
    }

    /** What --json writes. {@code failuresWhilePolling}: answers from B other than the awaited one that were errors. */
    record Results(String targetA, String targetB, List<Row> rows, long answersPolled, Map<String, Long> failuresWhilePolling) {
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        List<Row> rows = new ArrayList<>();
        Poller poller;
        try (Target a = Target.connect(targetA, transport.tlsCa(), 1); Target b = Target.connect(targetB, transport.tlsCa(), 1)) {
            poller = new Poller(b);
            rows.addAll(pauseAndResume(a, poller, out));
            rows.add(revocation(poller, out));
        }
        out.printf("%-34s %7s %9s %9s %9s %9s%n", "change (made on A, seen on B)", "rounds", "p50 ms", "p99 ms", "max ms", "timeouts");
        for (Row row : rows) {
            out.printf(Locale.ROOT, "%-34s %7d %9.2f %9.2f %9.2f %9d%n", row.change(), row.rounds(), row.p50(), row.p99(), row.max(),
                    row.timeouts());
        }
        out.printf("answers polled from B: %d; errors among them (a stale replica answers UNAVAILABLE): %s%n",
                poller.answers(), poller.failuresSeen().isEmpty() ? "none" : poller.failuresSeen());
        out.flush();
        if (json != null) {
            try {
                Files.writeString(json, BenchResults.JSON.writeValueAsString(
                        new Results(targetA, targetB, rows, poller.answers(), poller.failuresSeen())) + System.lineSeparator());
            } catch (IOException e) {
                throw new UncheckedIOException("could not write " + json, e);
            }
        }
        return 0;
    }

    private List<Row> pauseAndResume(Target a, Poller poller, PrintWriter out) {
        String workspace = "bench-propagation-" + UUID.randomUUID().toString().substring(0, 8);
        a.policies(token).withDeadlineAfter(10, TimeUnit.SECONDS).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY)
                .setReason("aigov bench propagation").setRequestId(UUID.randomUUID().toString()).build());
        EvaluateAiRequestRequest question = Workload.allowedRequest(workspace);
        Histogram paused = new Histogram(3);
        Histogram resumed = new Histogram(3);
        long pauseTimeouts = 0;
        long resumeTimeouts = 0;
        try {
            poller.until(token, question, Poller.Answer::allowed, timeout, "B allowing the new workspace");
            for (int round = 0; round < toggles; round++) {
                long changed = set(a, workspace, ControlState.CONTROL_STATE_PAUSED, round);
                try {
                    paused.recordValue(
                            poller.until(token, question, answer -> answer.blockedFor(BlockReason.BLOCK_REASON_AI_EXECUTION_PAUSED),
                                    timeout, "B blocking after a pause on A") - changed);
                } catch (Poller.TimedOut e) {
                    pauseTimeouts++;
                }
                changed = set(a, workspace, ControlState.CONTROL_STATE_ENABLED, round);
                try {
                    resumed.recordValue(
                            poller.until(token, question, Poller.Answer::allowed, timeout, "B allowing after a resume on A") - changed);
                } catch (Poller.TimedOut e) {
                    resumeTimeouts++;
                }
            }
        } catch (Poller.TimedOut e) {
            throw new IllegalStateException(e.getMessage() + ": is B on A's database?");
        } finally {
            // Never leave the workspace paused, whatever failed.
            set(a, workspace, ControlState.CONTROL_STATE_ENABLED, -1);
        }
        out.printf("pause/resume: %d rounds on workspace %s%n", toggles, workspace);
        return List.of(Row.of("pause -> B blocks", paused, pauseTimeouts), Row.of("resume -> B allows", resumed, resumeTimeouts));
    }

    /** Sets the workspace's control on A; returns when A's answer arrived. */
    private long set(Target a, String workspace, ControlState state, int round) {
        a.controls(token).withDeadlineAfter(10, TimeUnit.SECONDS).setExecutionControl(SetExecutionControlRequest.newBuilder()
                .setControlKey("ai.execution").setWorkspaceId(workspace).setState(state)
                .setReason("aigov bench propagation, round " + round).setRequestId(UUID.randomUUID().toString()).build());
        return System.nanoTime();
    }

    private Row revocation(Poller poller, PrintWriter out) {
        Histogram revoked = new Histogram(3);
        long timeouts = 0;
        String workspace = "bench-propagation-tokens";
        EvaluateAiRequestRequest question = Workload.allowedRequest(workspace);
        try (Database database = Database.over(dbUrl, dbUser, System.getenv("AIGOV_DB_PASSWORD"), 2)) {
            TokenAdministration tokens = new TokenAdministration(new PrincipalRepository(database.dsl()), Clock.systemUTC());
            for (int round = 0; round < revocations; round++) {
                String name = "bench-revocation-" + UUID.randomUUID().toString().substring(0, 8);
                String minted = tokens.create(name, List.of("ai.decisions.evaluate"), List.of()).token();
                try {
                    // Any decision (this workspace is disabled: a BLOCK) says B accepts the token.
                    poller.until(minted, question, answer -> answer.decision() != null, timeout, "B accepting a new token");
                    tokens.revoke(name);
                    long changed = System.nanoTime();
                    revoked.recordValue(poller.until(minted, question, answer -> answer.failedWith(Status.Code.UNAUTHENTICATED),
                            timeout, "B rejecting a revoked token") - changed);
                } catch (Poller.TimedOut e) {
                    timeouts++;
                    tokens.revoke(name);
                }
            }
        }
        out.printf("revocation: %d rounds%n", revocations);
        return Row.of("revocation -> B rejects", revoked, timeouts);
    }
}
