package dev.aigov.catalog;

import dev.aigov.catalog.LocatedJson.Obj;
import dev.aigov.catalog.LocatedJson.Scalar;
import dev.aigov.catalog.LocatedJson.Value;
import dev.aigov.core.Actor;
import dev.aigov.core.ActorKind;
import dev.aigov.core.BlockReason;
import dev.aigov.core.Catalog;
import dev.aigov.core.ControlState;
import dev.aigov.core.ControlStatus;
import dev.aigov.core.DataClassification;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.InvalidRequest;
import dev.aigov.core.Outcome;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.PolicyStatus;
import dev.aigov.core.ProviderClass;
import dev.aigov.core.Rules;
import dev.aigov.core.Snapshot;
import dev.aigov.core.Vocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A catalog's test suite (format {@value CatalogFile#FORMAT}, docs/catalog.md): named cases, each a
 * request, a policy mode and the paused scopes, and the decision expected. {@link #run} decides each
 * with {@link Rules#evaluate}, the function the server decides with, on the catalog under test.
 */
public final class CatalogTestSuite {
    static final List<String> SUITE_FIELDS = List.of("$schema", "format", "cases");
    static final List<String> CASE_FIELDS = List.of("name", "request", "policy_mode", "paused", "expect");
    static final List<String> REQUEST_FIELDS = List.of("workspace_id", "tenant_id", "use_case", "source_family", "provider_class",
            "data_classifications");
    static final List<String> EXPECT_FIELDS = List.of("outcome", "reasons", "rejected_classifications");
    static final List<String> SCOPES = List.of("global", "workspace");

    /** The workspace a case's request is for when it names none. */
    public static final String DEFAULT_WORKSPACE = "catalog-test";

    private static final Actor ACTOR = new Actor("catalog-test", ActorKind.SERVICE);

    /** What a case expects: the outcome, and when given, exactly these failing rules and rejected classifications. */
    record Expected(Outcome outcome, Optional<Set<BlockReason>> reasons, Optional<Set<DataClassification>> rejected) {
    }

    /** One case: its name, the line it starts on, what it decides on and what it expects. */
    record Case(String name, int line, DecisionRequest request, Snapshot snapshot, Expected expected) {
    }

    /**
     * What a run found.
     *
     * @param cases how many cases ran
     * @param failures one line per failing case, naming it and saying what was expected and what was decided
     */
    public record Result(int cases, List<String> failures) {
        public boolean passed() {
            return failures.isEmpty();
        }

        /** The line a CI log ends with: "catalog test: 12 cases, 11 passed, 1 failed". */
        public String summary() {
            return "catalog test: " + cases + " cases, " + (cases - failures.size()) + " passed, " + failures.size() + " failed";
        }
    }

    private final String file;
    private final List<Case> cases;

    private CatalogTestSuite(String file, List<Case> cases) {
        this.file = file;
        this.cases = List.copyOf(cases);
    }

    /** Reads and validates a test file; throws {@link InvalidFile} naming each problem's line. */
    public static CatalogTestSuite load(Path file) {
        return parse(file.toString(), CatalogFile.readText(file));
    }

    public static CatalogTestSuite parse(String name, String text) {
        Problems problems = new Problems(name);
        Value root = LocatedJson.read(text, problems);
        problems.throwIfAny();
        Obj object = Fields.asObject(problems, root, "the test file").orElse(null);
        problems.throwIfAny();
        CatalogFile.requireFormat(problems, object);
        problems.throwIfAny();
        Fields suite = new Fields(problems, object, "the test file", SUITE_FIELDS);
        suite.string("$schema", false);
        List<Case> cases = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        int index = 0;
        for (Obj item : suite.objects(suite.array("cases", true).orElse(List.of()), "a case")) {
            index++;
            testCase(problems, item, index).ifPresent(read -> {
                Integer first = firstLine.putIfAbsent(read.name(), read.line());
                if (first != null) {
                    problems.add(read.line(), "case '" + read.name() + "' is named twice (first at line " + first + ")");
                } else {
                    cases.add(read);
                }
            });
        }
        problems.throwIfAny();
        return new CatalogTestSuite(name, cases);
    }

    /** How many cases the suite has. */
    public int size() {
        return cases.size();
    }

    /** Decides every case on {@code catalog}. */
    public Result run(Catalog catalog) {
        List<String> failures = new ArrayList<>();
        for (Case testCase : cases) {
            Decision decision = Rules.evaluate(testCase.request(), testCase.snapshot(), catalog);
            Expected expected = testCase.expected();
            boolean passed = decision.outcome() == expected.outcome()
                    && expected.reasons().map(reasons -> reasons.equals(asSet(decision.allReasons(), BlockReason.class))).orElse(true)
                    && expected.rejected().map(rejected -> rejected.equals(asSet(decision.rejectedClassifications(),
                            DataClassification.class))).orElse(true);
            if (!passed) {
                failures.add("FAIL case '" + testCase.name() + "' (" + file + " line " + testCase.line() + "): expected "
                        + describe(expected) + "; decided " + describe(decision));
            }
        }
        return new Result(cases.size(), failures);
    }

    private static <E extends Enum<E>> Set<E> asSet(List<E> values, Class<E> type) {
        Set<E> set = EnumSet.noneOf(type);
        set.addAll(values);
        return set;
    }

    private static String describe(Expected expected) {
        return expected.outcome().word() + expected.reasons().map(r -> " reasons [" + words(r) + "]").orElse("")
                + expected.rejected().map(r -> " rejected [" + words(r) + "]").orElse("");
    }

    private static String describe(Decision decision) {
        return decision.outcome().word() + (decision.allowed() ? ""
                : " reasons [" + words(decision.allReasons()) + "] rejected [" + words(decision.rejectedClassifications()) + "]")
                + " (" + decision.message() + ")";
    }

    private static String words(java.util.Collection<? extends Enum<?>> values) {
        return values.stream().sorted().map(Vocabulary::word).collect(Collectors.joining(", "));
    }

    private static Optional<Case> testCase(Problems problems, Obj item, int index) {
        Optional<String> rawName = Optional.ofNullable(item.members().get("name"))
                .map(member -> member.value() instanceof Scalar scalar && scalar.isString() ? scalar.text() : null);
        String what = rawName.map(name -> "case '" + name + "'").orElse("case " + index);
        Fields fields = new Fields(problems, item, what, CASE_FIELDS);
        Optional<String> name = fields.string("name", true).filter(text -> {
            if (text.isBlank()) {
                problems.add(fields.line("name"), what + ": name is blank");
                return false;
            }
            return true;
        });
        Optional<DecisionRequest> request = fields.object("request", true).flatMap(obj -> request(problems, obj, what));
        Optional<PolicyMode> mode = fields.word("policy_mode", true, PolicyMode.class, "policy mode");
        Optional<Set<Scope>> paused = fields.has("paused")
                ? fields.words("paused", false, Scope.class, "scope", false, "")
                : Optional.of(EnumSet.noneOf(Scope.class));
        Optional<Expected> expected = fields.object("expect", true).flatMap(obj -> expected(problems, obj, what));
        if (name.isEmpty() || request.isEmpty() || mode.isEmpty() || paused.isEmpty() || expected.isEmpty()) {
            return Optional.empty();
        }
        Snapshot snapshot = new Snapshot(control(paused.get().contains(Scope.GLOBAL)), control(paused.get().contains(Scope.WORKSPACE)),
                new PolicyStatus(mode.get(), 1));
        return Optional.of(new Case(name.get(), item.line(), request.get(), snapshot, expected.get()));
    }

    /** A scope a case may pause. */
    enum Scope {
        GLOBAL, WORKSPACE
    }

    private static ControlStatus control(boolean paused) {
        return paused ? new ControlStatus(ControlState.PAUSED, 1) : ControlStatus.NEVER_CHANGED;
    }

    private static Optional<DecisionRequest> request(Problems problems, Obj obj, String caseWhat) {
        String what = caseWhat + ", request";
        Fields fields = new Fields(problems, obj, what, REQUEST_FIELDS);
        Optional<String> workspace = fields.string("workspace_id", false);
        Optional<String> tenant = fields.string("tenant_id", false);
        Optional<String> useCase = fields.string("use_case", true);
        Optional<String> sourceFamily = fields.string("source_family", true);
        Optional<ProviderClass> providerClass = fields.word("provider_class", true, ProviderClass.class, "provider class");
        Optional<Set<DataClassification>> classifications = fields.words("data_classifications", true, DataClassification.class,
                "data classification", false, "");
        if ((fields.has("workspace_id") && workspace.isEmpty()) || (fields.has("tenant_id") && tenant.isEmpty()) || useCase.isEmpty()
                || sourceFamily.isEmpty() || providerClass.isEmpty() || classifications.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DecisionRequest(workspace.orElse(DEFAULT_WORKSPACE), tenant.orElse(""), useCase.get(),
                    providerClass.get(), List.copyOf(classifications.get()), sourceFamily.get(), ACTOR, "", Optional.empty()));
        } catch (InvalidRequest invalid) {
            // A request the server would refuse with INVALID_ARGUMENT has no decision to test.
            problems.add(fields.line(invalid.field()), what + " is one the server refuses: " + invalid.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Expected> expected(Problems problems, Obj obj, String caseWhat) {
        String what = caseWhat + ", expect";
        Fields fields = new Fields(problems, obj, what, EXPECT_FIELDS);
        Optional<Outcome> outcome = fields.word("outcome", true, Outcome.class, "outcome");
        Optional<Set<BlockReason>> reasons = fields.words("reasons", false, BlockReason.class, "block reason", false, "");
        Optional<Set<DataClassification>> rejected = fields.words("rejected_classifications", false, DataClassification.class,
                "data classification", false, "");
        if (outcome.isEmpty() || (fields.has("reasons") && reasons.isEmpty())
                || (fields.has("rejected_classifications") && rejected.isEmpty())) {
            return Optional.empty();
        }
        boolean allow = outcome.get() == Outcome.ALLOW;
        if (allow && reasons.filter(r -> !r.isEmpty()).isPresent()) {
            problems.add(fields.line("reasons"), what + ": an allow has no reasons");
            return Optional.empty();
        }
        if (!allow && reasons.filter(Set::isEmpty).isPresent()) {
            problems.add(fields.line("reasons"), what + ": a block has at least one reason");
            return Optional.empty();
        }
        return Optional.of(new Expected(outcome.get(), reasons, rejected));
    }
}
