package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import dev.aigov.server.config.OverloadConfig;
import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The default concurrency limit ({@code AIGOV_CONCURRENCY_LIMIT=adaptive}) at the figures the docs
 * give: it starts at its ceiling ({@code AIGOV_CONCURRENCY_LIMIT_MAX}, 1,000), tolerates latency up
 * to twice its usual level, comes down under an overload as far as its floor (256) and no further,
 * and at every limit the control plane keeps its share (10%) that decisions cannot take. Driven
 * through the interceptor with a clock of the test's, so that each call's latency is the one the
 * test gives it: no timing, no load. (Health and the metrics, end to end: {@link OverloadEndToEndTest}.)
 */
class AdaptiveLimitTest {
    private static final Path CONFIGURATION = RepositoryFiles.root().resolve("docs/configuration.md");
    private static final Path OPERATIONS = RepositoryFiles.root().resolve("docs/operations.md");
    private static final Duration USUAL = Duration.ofMillis(2);

    private final AtomicLong now = new AtomicLong(Duration.ofHours(1).toNanos());
    private final AtomicInteger refusedAtLimit = new AtomicInteger();
    private final OverloadLimiter limiter = OverloadLimiter.of(
            OverloadConfig.parse(documentedDefault("AIGOV_CONCURRENCY_LIMIT"),
                    Integer.parseInt(documentedDefault("AIGOV_CONCURRENCY_LIMIT_MAX"))),
            refusedAtLimit::incrementAndGet, now::get).orElseThrow();

    @Test
    void theDefaultStartsAtItsDocumentedCeilingAndDecisionsLeaveTheControlPlaneItsShare() {
        int ceiling = Integer.parseInt(documentedDefault("AIGOV_CONCURRENCY_LIMIT_MAX"));
        assertThat(ceiling).isEqualTo(1000);
        assertThat(limiter.limit()).isEqualTo(ceiling);

        assertSharesAt(ceiling);
    }

    @Test
    void aLatencyUpToTwiceTheUsualOneLeavesTheLimitWhereItIsAndAHigherOneBringsItDown() {
        rounds(15, USUAL);
        rounds(10, USUAL.multipliedBy(19).dividedBy(10));
        assertThat(limiter.limit()).isEqualTo(1000);

        rounds(5, USUAL.multipliedBy(3));
        assertThat(limiter.limit()).isLessThan(1000);
    }

    @Test
    void underAnOverloadTheLimitComesDownToItsDocumentedFloorAndNoFurther() {
        int floor = documentedFloor();
        assertThat(floor).isEqualTo(256);
        rounds(15, USUAL);
        assertThat(limiter.limit()).isEqualTo(1000);

        List<Integer> limits = new ArrayList<>();
        for (int round = 0; round < 40 && limiter.limit() > floor; round++) {
            round(USUAL.multipliedBy(25));
            limits.add(limiter.limit());
        }
        assertThat(limits).as("the limit after each round of calls 25 times slower than usual")
                .isSortedAccordingTo((a, b) -> Integer.compare(b, a)).endsWith(floor);
        assertSharesAt(floor);

        // However slow the calls get, the limit stays at the floor or above.
        limits.clear();
        for (int round = 0; round < 20; round++) {
            round(USUAL.multipliedBy(100));
            limits.add(limiter.limit());
        }
        assertThat(limits).as("the limit after each round of calls 100 times slower than usual").allMatch(limit -> limit >= floor)
                .contains(floor);
    }

    /**
     * At {@code limit}: decisions alone may take all of it, and the control plane then still gets its
     * share; with the control plane's share taken, decisions get no more than theirs. Each refusal is counted.
     */
    private void assertSharesAt(int limit) {
        // Each share in whole calls, rounded up (10% of 256 is 26 calls; decisions get 231 beside them).
        int controlShare = (int) Math.ceil(limit * documentedControlShare());
        int decisionShare = (int) Math.ceil(limit * (1 - documentedControlShare()));
        int refusals = refusedAtLimit.get();

        List<Runnable> decisions = startAll(DecisionServiceGrpc.getEvaluateAiRequestMethod(), limit);
        assertThat(start(DecisionServiceGrpc.getEvaluateAiRequestMethod())).as("a decision beyond the limit").isEmpty();
        List<Runnable> control = startAll(ExecutionControlServiceGrpc.getSetExecutionControlMethod(), controlShare - 1);
        control.add(start(WorkspacePolicyServiceGrpc.getSetWorkspacePolicyMethod()).orElseThrow());
        assertThat(start(ExecutionControlServiceGrpc.getSetExecutionControlMethod())).as("a control call beyond its share").isEmpty();
        assertThat(refusedAtLimit.get()).isEqualTo(refusals + 2);
        finish(decisions);
        finish(control);

        control = startAll(ExecutionControlServiceGrpc.getSetExecutionControlMethod(), controlShare);
        decisions = startAll(DecisionServiceGrpc.getEvaluateAiRequestMethod(), decisionShare);
        assertThat(start(DecisionServiceGrpc.getEvaluateAiRequestMethod())).as("a decision beyond the rest of the limit").isEmpty();
        assertThat(refusedAtLimit.get()).isEqualTo(refusals + 3);
        finish(decisions);
        finish(control);
        assertThat(limiter.inFlight()).isZero();
    }

    /** Rounds of as many decisions at once as the limit admits, each taking {@code latency}. */
    private void rounds(int count, Duration latency) {
        for (int round = 0; round < count; round++) {
            round(latency);
        }
    }

    private void round(Duration latency) {
        // Past the window the last round's samples opened (at most a second): this round closes it.
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        List<Runnable> calls = startAll(DecisionServiceGrpc.getEvaluateAiRequestMethod(), limiter.limit());
        now.addAndGet(latency.toNanos());
        finish(calls);
    }

    private <Q, R> List<Runnable> startAll(MethodDescriptor<Q, R> method, int count) {
        List<Runnable> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(start(method).orElseThrow(() -> new AssertionError("call " + (calls.size() + 1) + " of " + count + " of "
                    + method.getFullMethodName() + " refused at the limit " + limiter.limit())));
        }
        return calls;
    }

    private static void finish(List<Runnable> calls) {
        calls.forEach(Runnable::run);
    }

    /** Starts a call of {@code method}: what finishes it with OK when it was admitted, empty when it was refused OVERLOADED. */
    private <Q, R> Optional<Runnable> start(MethodDescriptor<Q, R> method) {
        Call<Q, R> call = new Call<>(method);
        AtomicReference<ServerCall<Q, R>> admitted = new AtomicReference<>();
        limiter.interceptCall(call, new Metadata(), (serving, headers) -> {
            admitted.set(serving);
            return new ServerCall.Listener<>() {
            };
        });
        if (admitted.get() == null) {
            assertThat(call.closed.get().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            return Optional.empty();
        }
        return Optional.of(() -> admitted.get().close(Status.OK, new Metadata()));
    }

    /** A unary call as the transport hands it to the interceptors. */
    private static final class Call<Q, R> extends ServerCall<Q, R> {
        private final MethodDescriptor<Q, R> method;
        private final AtomicReference<Status> closed = new AtomicReference<>();

        Call(MethodDescriptor<Q, R> method) {
            this.method = method;
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(R message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closed.set(status);
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public Attributes getAttributes() {
            return Attributes.EMPTY;
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }

    /** The default docs/configuration.md gives {@code variable}. */
    static String documentedDefault(String variable) {
        return Markdown.read(CONFIGURATION).tableRows("Configuration").stream().filter(row -> row.get(0).equals(variable))
                .map(row -> row.get(1)).findFirst().orElseThrow(() -> new AssertionError(variable + " is not in " + CONFIGURATION));
    }

    /** docs/configuration.md, AIGOV_CONCURRENCY_LIMIT_MAX: "under an overload it comes down as far as 256". */
    private static int documentedFloor() {
        String description = Markdown.read(CONFIGURATION).tableRows("Configuration").stream()
                .filter(row -> row.get(0).equals("AIGOV_CONCURRENCY_LIMIT_MAX")).map(row -> row.get(2)).findFirst().orElseThrow();
        return Integer.parseInt(find(Pattern.compile("as far as ([0-9]+)"), description, CONFIGURATION));
    }

    /** docs/operations.md, Overload: "The control plane (...) keeps 10% of the limit that decisions cannot take". */
    private static double documentedControlShare() {
        String text;
        try {
            text = Files.readString(OPERATIONS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Integer.parseInt(find(Pattern.compile("keeps ([0-9]+)% of\\s+the limit that decisions cannot take"), text, OPERATIONS))
                / 100.0;
    }

    private static String find(Pattern pattern, String text, Path file) {
        Matcher matcher = pattern.matcher(text);
        assertThat(matcher.find()).as("%s says /%s/", file, pattern).isTrue();
        return matcher.group(1);
    }
}
