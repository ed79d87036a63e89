package dev.aigov.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Nanoseconds per decision of the pure rules (JMH), printed, not asserted. Not part of the default
 * run: {@code ./mvnw -B -pl server -am verify -Dgroups=benchmark -Daigov.excludedGroups=
 * -Daigov.redirectTestOutput=false -Dtest=RulesBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RulesBenchmark {
    private static final Snapshot ENABLED = new Snapshot(new ControlStatus(ControlState.ENABLED, 2),
            ControlStatus.NEVER_CHANGED, new PolicyStatus(PolicyMode.PRIVATE_ONLY, 4));
    private static final Snapshot PAUSED_AND_DISABLED = new Snapshot(new ControlStatus(ControlState.PAUSED, 3),
            ControlStatus.NEVER_CHANGED, new PolicyStatus(PolicyMode.DISABLED, 5));

    /** Allowed under a private_only policy. */
    private final DecisionRequest allowed = request("", "product_knowledge", List.of(DataClassification.PRODUCT_KNOWLEDGE));

    /** Under a pause and a disabled policy, fails five rules: paused, disabled, tenant, source family, classification. */
    private final DecisionRequest failingFiveRules = request("tenant-7", "support_diagnostics",
            List.of(DataClassification.PRODUCT_KNOWLEDGE, DataClassification.PERSONAL_DATA, DataClassification.SECRET));

    private static DecisionRequest request(String tenant, String sourceFamily, List<DataClassification> classifications) {
        return new DecisionRequest("ws-1", tenant, "product_knowledge.answer_draft", ProviderClass.LOCAL_PRIVATE,
                classifications, sourceFamily, new Actor("user-1", ActorKind.USER), "help-panel", Optional.empty());
    }

    @Benchmark
    public Decision allow() {
        return Rules.evaluate(allowed, ENABLED, RequestBuilder.CATALOG);
    }

    @Benchmark
    public Decision blockWithFiveReasons() {
        return Rules.evaluate(failingFiveRules, PAUSED_AND_DISABLED, RequestBuilder.CATALOG);
    }

    /** What the gRPC layer pays to validate a request into the domain type before deciding. */
    @Benchmark
    public DecisionRequest validateRequest() {
        return request("", "product_knowledge", List.of(DataClassification.PRODUCT_KNOWLEDGE));
    }

    @Test
    void printsNanosecondsPerDecision() throws RunnerException {
        assertThat(blockWithFiveReasons().allReasons()).hasSize(5);
        assertThat(allow().allowed()).isTrue();
        new Runner(new OptionsBuilder().include(RulesBenchmark.class.getName() + "\\.").build()).run();
    }
}
