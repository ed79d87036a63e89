package dev.aigov.core;

import static dev.aigov.core.BlockReason.AI_EXECUTION_PAUSED;
import static dev.aigov.core.BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED;
import static dev.aigov.core.BlockReason.PROVIDER_CLASS_NOT_PERMITTED;
import static dev.aigov.core.BlockReason.SOURCE_FAMILY_NOT_PERMITTED;
import static dev.aigov.core.BlockReason.TENANT_CONTEXT_NOT_PERMITTED;
import static dev.aigov.core.BlockReason.USE_CASE_NOT_APPROVED;
import static dev.aigov.core.BlockReason.WORKSPACE_POLICY_DISABLED;
import static dev.aigov.core.DataClassification.OPERATIONAL_METADATA;
import static dev.aigov.core.DataClassification.PERSONAL_DATA;
import static dev.aigov.core.DataClassification.PRODUCT_KNOWLEDGE;
import static dev.aigov.core.DataClassification.SECRET;
import static dev.aigov.core.DataClassification.TENANT_CONFIGURATION;
import static dev.aigov.core.DataClassification.WORKSPACE_CONFIGURATION;
import static dev.aigov.core.RequestBuilder.ANSWER_DRAFT;
import static dev.aigov.core.RequestBuilder.SUMMARY_DRAFT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class RulesTest {
    private static final String UNKNOWN_USE_CASE = "marketing.email_draft";

    private static final ControlStatus GLOBAL_ENABLED = new ControlStatus(ControlState.ENABLED, 2);
    private static final ControlStatus GLOBAL_PAUSED = new ControlStatus(ControlState.PAUSED, 3);
    private static final ControlStatus WORKSPACE_RESUMED = new ControlStatus(ControlState.ENABLED, 8);
    private static final ControlStatus WORKSPACE_PAUSED = new ControlStatus(ControlState.PAUSED, 9);
    private static final PolicyStatus PRIVATE_ONLY = new PolicyStatus(PolicyMode.PRIVATE_ONLY, 4);
    private static final PolicyStatus DISABLED = new PolicyStatus(PolicyMode.DISABLED, 5);

    /**
     * The precedence order the contract states (BlockReason in types.proto), written out so that the
     * matrix does not take it from the code under test.
     */
    private static final List<BlockReason> PRECEDENCE = List.of(
            AI_EXECUTION_PAUSED,
            WORKSPACE_POLICY_DISABLED,
            USE_CASE_NOT_APPROVED,
            PROVIDER_CLASS_NOT_PERMITTED,
            TENANT_CONTEXT_NOT_PERMITTED,
            SOURCE_FAMILY_NOT_PERMITTED,
            DATA_CLASSIFICATION_NOT_PERMITTED);

    /** The rules that compare a request with its use case; an unknown use case has nothing to compare. */
    private static final Set<BlockReason> RULES_NEEDING_A_KNOWN_USE_CASE =
            EnumSet.of(TENANT_CONTEXT_NOT_PERMITTED, SOURCE_FAMILY_NOT_PERMITTED, DATA_CLASSIFICATION_NOT_PERMITTED);

    /** The approved use cases' table, written out independently of {@link Catalog}. */
    private static final Map<String, String> APPROVED_SOURCE_FAMILY = Map.of(
            ANSWER_DRAFT, "product_knowledge",
            SUMMARY_DRAFT, "support_diagnostics");
    private static final Map<String, Set<DataClassification>> APPROVED_CLASSIFICATIONS = Map.of(
            ANSWER_DRAFT, EnumSet.of(PRODUCT_KNOWLEDGE, OPERATIONAL_METADATA),
            SUMMARY_DRAFT, EnumSet.of(OPERATIONAL_METADATA, WORKSPACE_CONFIGURATION, TENANT_CONFIGURATION));
    private static final Map<String, Boolean> APPROVED_TENANT_CONTEXT = Map.of(ANSWER_DRAFT, false, SUMMARY_DRAFT, true);

    /** A request and the state it is decided on; starts as one that every rule allows. */
    private static final class Scenario {
        final RequestBuilder request = RequestBuilder.valid();
        ControlStatus global = GLOBAL_ENABLED;
        ControlStatus workspace = ControlStatus.NEVER_CHANGED;
        PolicyStatus policy = PRIVATE_ONLY;

        static Scenario allowed() {
            return new Scenario();
        }

        /** An allowed request for a known use case: its own source family and a classification it permits. */
        static Scenario allowedFor(String useCase) {
            Scenario scenario = new Scenario();
            scenario.request.useCase = useCase;
            scenario.request.sourceFamily = APPROVED_SOURCE_FAMILY.get(useCase);
            scenario.request.dataClassifications = List.of(OPERATIONAL_METADATA);
            return scenario;
        }

        /** Changes the one thing that makes {@code reason}'s rule fail and, from the allowed start, no other. */
        Scenario failing(BlockReason reason) {
            switch (reason) {
                case AI_EXECUTION_PAUSED -> global = GLOBAL_PAUSED;
                case WORKSPACE_POLICY_DISABLED -> policy = DISABLED;
                case USE_CASE_NOT_APPROVED -> request.useCase = UNKNOWN_USE_CASE;
                case PROVIDER_CLASS_NOT_PERMITTED -> request.providerClass = ProviderClass.EXTERNAL_PUBLIC;
                case TENANT_CONTEXT_NOT_PERMITTED -> request.tenantId = "tenant-1";
                case SOURCE_FAMILY_NOT_PERMITTED -> request.sourceFamily = "support_diagnostics";
                case DATA_CLASSIFICATION_NOT_PERMITTED -> request.classifications(PRODUCT_KNOWLEDGE, SECRET);
            }
            return this;
        }

        Decision decide() {
            return Rules.evaluate(request.build(), new Snapshot(global, workspace, policy), RequestBuilder.CATALOG);
        }
    }

    // --- precedence ---------------------------------------------------------------------------

    @Test
    void precedenceIsTheContractsOrderOfRules() {
        assertThat(BlockReason.values()).containsExactlyElementsOf(PRECEDENCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(BlockReason.class)
    void eachRuleAloneBlocksWithItsOwnMessage(BlockReason reason) {
        Map<BlockReason, String> messages = Map.of(
                AI_EXECUTION_PAUSED, "Blocked: AI execution is paused globally.",
                WORKSPACE_POLICY_DISABLED, "Blocked: workspace 'ws-1' has its AI policy set to disabled.",
                USE_CASE_NOT_APPROVED,
                "Blocked: use case 'marketing.email_draft' is not in the catalog of approved use cases.",
                PROVIDER_CLASS_NOT_PERMITTED, "Blocked: provider class external_public is not permitted for use case "
                        + "'product_knowledge.answer_draft' under policy private_only.",
                TENANT_CONTEXT_NOT_PERMITTED,
                "Blocked: use case 'product_knowledge.answer_draft' does not permit tenant context.",
                SOURCE_FAMILY_NOT_PERMITTED, "Blocked: source family 'support_diagnostics' is not permitted for use case "
                        + "'product_knowledge.answer_draft' (it takes 'product_knowledge').",
                DATA_CLASSIFICATION_NOT_PERMITTED,
                "Blocked: use case 'product_knowledge.answer_draft' does not permit data classified as secret.");

        Decision decision = Scenario.allowed().failing(reason).decide();

        assertThat(decision.outcome()).isEqualTo(Outcome.BLOCK);
        assertThat(decision.reason()).contains(reason);
        assertThat(decision.allReasons()).containsExactly(reason);
        assertThat(decision.message()).isEqualTo(messages.get(reason));
    }

    static Stream<Arguments> rulePairsThatCanFailTogether() {
        List<Arguments> pairs = new ArrayList<>();
        for (int i = 0; i < PRECEDENCE.size(); i++) {
            for (int j = i + 1; j < PRECEDENCE.size(); j++) {
                BlockReason earlier = PRECEDENCE.get(i);
                BlockReason later = PRECEDENCE.get(j);
                boolean exclusive = earlier == USE_CASE_NOT_APPROVED && RULES_NEEDING_A_KNOWN_USE_CASE.contains(later);
                if (!exclusive) {
                    pairs.add(arguments(earlier, later));
                }
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} takes precedence over {1}")
    @MethodSource("rulePairsThatCanFailTogether")
    void earlierRuleIsPrimaryAndBothAreReported(BlockReason earlier, BlockReason later) {
        Decision decision = Scenario.allowed().failing(later).failing(earlier).decide();

        assertThat(decision.outcome()).isEqualTo(Outcome.BLOCK);
        assertThat(decision.reason()).contains(earlier);
        assertThat(decision.allReasons()).containsExactly(earlier, later);
        assertThat(decision.message())
                .startsWith("Blocked: ")
                .endsWith(" Also failing: " + later.word() + ".");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rulesNeedingAKnownUseCase")
    void unknownUseCaseIsNotComparedWithTenantSourceFamilyOrClassificationRules(BlockReason ruleOfTheUseCase) {
        Decision decision = Scenario.allowed().failing(USE_CASE_NOT_APPROVED).failing(ruleOfTheUseCase).decide();

        assertThat(decision.allReasons()).containsExactly(USE_CASE_NOT_APPROVED);
        assertThat(decision.rejectedClassifications()).isEmpty();
    }

    static Stream<BlockReason> rulesNeedingAKnownUseCase() {
        return RULES_NEEDING_A_KNOWN_USE_CASE.stream();
    }

    @Test
    void everyRuleButUseCaseApprovalCanFailAtOnceAndAllAreReportedInPrecedenceOrder() {
        Scenario scenario = Scenario.allowed();
        for (BlockReason reason : BlockReason.values()) {
            if (reason != USE_CASE_NOT_APPROVED) {
                scenario.failing(reason);
            }
        }

        Decision decision = scenario.decide();

        assertThat(decision.reason()).contains(AI_EXECUTION_PAUSED);
        assertThat(decision.allReasons()).containsExactly(
                AI_EXECUTION_PAUSED,
                WORKSPACE_POLICY_DISABLED,
                PROVIDER_CLASS_NOT_PERMITTED,
                TENANT_CONTEXT_NOT_PERMITTED,
                SOURCE_FAMILY_NOT_PERMITTED,
                DATA_CLASSIFICATION_NOT_PERMITTED);
        assertThat(decision.rejectedClassifications()).containsExactly(SECRET);
        assertThat(decision.message()).isEqualTo("Blocked: AI execution is paused globally. Also failing: "
                + "workspace_policy_disabled, provider_class_not_permitted, tenant_context_not_permitted, "
                + "source_family_not_permitted, data_classification_not_permitted.");
    }

    @Test
    void breakingEveryRuleWithAnUnknownUseCaseUnderDisabledPolicyReportsEveryRuleItCanCheck() {
        Scenario scenario = Scenario.allowed();
        for (BlockReason reason : BlockReason.values()) {
            scenario.failing(reason);
        }

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactly(
                AI_EXECUTION_PAUSED, WORKSPACE_POLICY_DISABLED, USE_CASE_NOT_APPROVED, PROVIDER_CLASS_NOT_PERMITTED);
        assertThat(decision.rejectedClassifications()).isEmpty();
        assertThat(decision.message()).isEqualTo("Blocked: AI execution is paused globally. "
                + "Also failing: workspace_policy_disabled, use_case_not_approved, provider_class_not_permitted.");
    }

    /** Every combination of a small but complete input space: what must hold for every decision. */
    private static List<Decision> decisionsForEveryCombination() {
        List<Decision> decisions = new ArrayList<>();
        List<List<DataClassification>> classificationChoices = new ArrayList<>();
        for (DataClassification classification : DataClassification.values()) {
            classificationChoices.add(List.of(classification));
        }
        classificationChoices.add(List.of(DataClassification.values()));
        ControlStatus[][] controls = {
                {GLOBAL_ENABLED, ControlStatus.NEVER_CHANGED}, {GLOBAL_PAUSED, ControlStatus.NEVER_CHANGED},
                {GLOBAL_ENABLED, WORKSPACE_PAUSED}, {GLOBAL_PAUSED, WORKSPACE_PAUSED}};
        for (String useCase : List.of(ANSWER_DRAFT, SUMMARY_DRAFT, UNKNOWN_USE_CASE)) {
            for (ProviderClass providerClass : ProviderClass.values()) {
                for (String tenant : List.of("", "tenant-1")) {
                    for (String sourceFamily : List.of("product_knowledge", "support_diagnostics", "billing")) {
                        for (List<DataClassification> classifications : classificationChoices) {
                            for (PolicyStatus policy : List.of(PolicyStatus.DEFAULT, DISABLED, PRIVATE_ONLY)) {
                                for (ControlStatus[] control : controls) {
                                    Scenario scenario = Scenario.allowed();
                                    scenario.request.useCase = useCase;
                                    scenario.request.providerClass = providerClass;
                                    scenario.request.tenantId = tenant;
                                    scenario.request.sourceFamily = sourceFamily;
                                    scenario.request.dataClassifications = classifications;
                                    scenario.policy = policy;
                                    scenario.global = control[0];
                                    scenario.workspace = control[1];
                                    decisions.add(scenario.decide());
                                }
                            }
                        }
                    }
                }
            }
        }
        return decisions;
    }

    @Test
    void noCombinationReportsAnUnknownUseCaseTogetherWithARuleOfTheUseCase() {
        assertThat(decisionsForEveryCombination())
                .filteredOn(decision -> decision.allReasons().contains(USE_CASE_NOT_APPROVED))
                .isNotEmpty()
                .allSatisfy(decision -> assertThat(decision.allReasons())
                        .doesNotContainAnyElementsOf(RULES_NEEDING_A_KNOWN_USE_CASE));
    }

    @Test
    void everyDecisionIsConsistentWithItsReasons() {
        assertThat(decisionsForEveryCombination()).allSatisfy(decision -> {
            assertThat(decision.allReasons()).isSorted().doesNotHaveDuplicates();
            assertThat(decision.reason()).isEqualTo(decision.allReasons().stream().findFirst());
            assertThat(decision.outcome()).isEqualTo(decision.allReasons().isEmpty() ? Outcome.ALLOW : Outcome.BLOCK);
            assertThat(decision.message()).startsWith(decision.allowed() ? "Allowed: " : "Blocked: ");
            assertThat(decision.rejectedClassifications().isEmpty())
                    .isEqualTo(!decision.allReasons().contains(DATA_CLASSIFICATION_NOT_PERMITTED));
            assertThat(decision.executionState() == ControlState.PAUSED)
                    .isEqualTo(decision.allReasons().contains(AI_EXECUTION_PAUSED));
        });
    }

    // --- what would pass ------------------------------------------------------------------------

    /**
     * A block only by the provider class, the classifications, or both, says what the use case permits
     * under the policy: written out here, private_only permits local_private, and each use case's
     * classifications are its table's.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("fallbackBlocks")
    void aBlockOnlyByProviderClassOrClassificationsSaysWhatWouldPass(String useCase, List<BlockReason> failing) {
        Scenario scenario = Scenario.allowedFor(useCase);
        failing.forEach(scenario::failing);
        Decision decision = scenario.decide();
        assertThat(decision.allReasons()).containsExactlyElementsOf(failing);
        assertThat(decision.permittedProviderClasses()).containsExactly(ProviderClass.LOCAL_PRIVATE);
        assertThat(decision.permittedDataClassifications())
                .containsExactlyElementsOf(APPROVED_CLASSIFICATIONS.get(useCase).stream().sorted().toList());
    }

    static Stream<Arguments> fallbackBlocks() {
        List<Arguments> cases = new ArrayList<>();
        for (String useCase : List.of(ANSWER_DRAFT, SUMMARY_DRAFT)) {
            cases.add(arguments(useCase, List.of(PROVIDER_CLASS_NOT_PERMITTED)));
            cases.add(arguments(useCase, List.of(DATA_CLASSIFICATION_NOT_PERMITTED)));
            cases.add(arguments(useCase, List.of(PROVIDER_CLASS_NOT_PERMITTED, DATA_CLASSIFICATION_NOT_PERMITTED)));
        }
        return cases.stream();
    }

    /** Any other decision, an allow or a block with any other failing rule, says nothing of what would pass. */
    @Test
    void everyOtherDecisionSaysNothingOfWhatWouldPass() {
        Set<BlockReason> fallback = EnumSet.of(PROVIDER_CLASS_NOT_PERMITTED, DATA_CLASSIFICATION_NOT_PERMITTED);
        List<Decision> decisions = decisionsForEveryCombination();
        assertThat(decisions).filteredOn(d -> !d.allReasons().isEmpty() && fallback.containsAll(d.allReasons())).isNotEmpty()
                .allSatisfy(d -> assertThat(d.permittedProviderClasses()).containsExactly(ProviderClass.LOCAL_PRIVATE));
        assertThat(decisions).filteredOn(d -> d.allReasons().isEmpty() || !fallback.containsAll(d.allReasons())).isNotEmpty()
                .allSatisfy(d -> {
                    assertThat(d.permittedProviderClasses()).isEmpty();
                    assertThat(d.permittedDataClassifications()).isEmpty();
                });
    }

    /** A use case that permits only a class the policy does not: the block still names its classifications, and no class. */
    @Test
    void noPermittedClassWhenThePolicyPermitsNoneOfTheUseCases() {
        Catalog externalOnly = new Catalog(List.of(new UseCase("x.draft", "x", false, Set.of(ProviderClass.EXTERNAL_PUBLIC),
                Set.of(PRODUCT_KNOWLEDGE), "External only.")));
        RequestBuilder request = RequestBuilder.valid();
        request.useCase = "x.draft";
        request.sourceFamily = "x";
        Decision decision = Rules.evaluate(request.build(), new Snapshot(GLOBAL_ENABLED, ControlStatus.NEVER_CHANGED, PRIVATE_ONLY),
                externalOnly);
        assertThat(decision.allReasons()).containsExactly(PROVIDER_CLASS_NOT_PERMITTED);
        assertThat(decision.permittedProviderClasses()).isEmpty();
        assertThat(decision.permittedDataClassifications()).containsExactly(PRODUCT_KNOWLEDGE);
    }

    @Test
    void everyDecisionCarriesTheVersionOfTheCatalogItWasMadeWith() {
        assertThat(decisionsForEveryCombination())
                .allSatisfy(decision -> assertThat(decision.catalog()).contains(RequestBuilder.CATALOG.version()));
    }

    // --- data classifications -------------------------------------------------------------------

    static Stream<Arguments> everyClassificationForEveryUseCase() {
        List<Arguments> cases = new ArrayList<>();
        for (String useCase : List.of(ANSWER_DRAFT, SUMMARY_DRAFT)) {
            for (DataClassification classification : DataClassification.values()) {
                cases.add(arguments(useCase, classification, APPROVED_CLASSIFICATIONS.get(useCase).contains(classification)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with {1}: permitted={2}")
    @MethodSource("everyClassificationForEveryUseCase")
    void classificationIsAllowedExactlyWhenTheUseCasePermitsIt(
            String useCase, DataClassification classification, boolean permitted) {
        Scenario scenario = Scenario.allowedFor(useCase);
        scenario.request.classifications(classification);

        Decision decision = scenario.decide();

        if (permitted) {
            assertThat(decision.outcome()).isEqualTo(Outcome.ALLOW);
            assertThat(decision.rejectedClassifications()).isEmpty();
        } else {
            assertThat(decision.allReasons()).containsExactly(DATA_CLASSIFICATION_NOT_PERMITTED);
            assertThat(decision.rejectedClassifications()).containsExactly(classification);
            assertThat(decision.message()).isEqualTo("Blocked: use case '" + useCase
                    + "' does not permit data classified as " + classification.word() + ".");
        }
    }

    @Test
    void everyRejectedClassificationIsListedInTheOrderDeclared() {
        Scenario scenario = Scenario.allowed();
        scenario.request.classifications(
                SECRET, PRODUCT_KNOWLEDGE, PERSONAL_DATA, TENANT_CONFIGURATION, OPERATIONAL_METADATA, WORKSPACE_CONFIGURATION);

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactly(DATA_CLASSIFICATION_NOT_PERMITTED);
        assertThat(decision.rejectedClassifications())
                .containsExactly(SECRET, PERSONAL_DATA, TENANT_CONFIGURATION, WORKSPACE_CONFIGURATION);
        assertThat(decision.message()).isEqualTo("Blocked: use case 'product_knowledge.answer_draft' does not permit "
                + "data classified as secret, personal_data, tenant_configuration, workspace_configuration.");
    }

    @Test
    void repeatedRejectedClassificationIsListedOnce() {
        Scenario scenario = Scenario.allowed();
        scenario.request.classifications(PERSONAL_DATA, PRODUCT_KNOWLEDGE, PERSONAL_DATA);

        assertThat(scenario.decide().rejectedClassifications()).containsExactly(PERSONAL_DATA);
    }

    @Test
    void everyClassificationASummaryDraftPermitsIsAllowedTogether() {
        Scenario scenario = Scenario.allowedFor(SUMMARY_DRAFT);
        scenario.request.classifications(OPERATIONAL_METADATA, WORKSPACE_CONFIGURATION, TENANT_CONFIGURATION);

        Decision decision = scenario.decide();

        assertThat(decision.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(decision.message()).isEqualTo("Allowed: use case 'support_diagnostics.summary_draft' may send "
                + "operational_metadata, workspace_configuration, tenant_configuration to a local_private provider "
                + "for workspace 'ws-1'.");
    }

    // --- tenant context and source family ------------------------------------------------------

    static Stream<Arguments> tenantContextForEveryUseCase() {
        return Stream.of(ANSWER_DRAFT, SUMMARY_DRAFT).flatMap(useCase -> Stream.of(
                arguments(useCase, "", true),
                arguments(useCase, "tenant-1", APPROVED_TENANT_CONTEXT.get(useCase))));
    }

    @ParameterizedTest(name = "{0} with tenant ''{1}'': allowed={2}")
    @MethodSource("tenantContextForEveryUseCase")
    void tenantIdIsAllowedOnlyWhereTheUseCasePermitsTenantContext(String useCase, String tenantId, boolean allowed) {
        Scenario scenario = Scenario.allowedFor(useCase);
        scenario.request.tenantId = tenantId;

        Decision decision = scenario.decide();

        if (allowed) {
            assertThat(decision.outcome()).isEqualTo(Outcome.ALLOW);
        } else {
            assertThat(decision.allReasons()).containsExactly(TENANT_CONTEXT_NOT_PERMITTED);
        }
    }

    static Stream<Arguments> everySourceFamilyForEveryUseCase() {
        return Stream.of(ANSWER_DRAFT, SUMMARY_DRAFT).flatMap(useCase -> Stream.of("product_knowledge", "support_diagnostics", "billing")
                .map(family -> arguments(useCase, family, family.equals(APPROVED_SOURCE_FAMILY.get(useCase)))));
    }

    @ParameterizedTest(name = "{0} from {1}: allowed={2}")
    @MethodSource("everySourceFamilyForEveryUseCase")
    void sourceFamilyIsAllowedOnlyWhenItIsTheUseCasesOwn(String useCase, String sourceFamily, boolean allowed) {
        Scenario scenario = Scenario.allowedFor(useCase);
        scenario.request.sourceFamily = sourceFamily;

        Decision decision = scenario.decide();

        if (allowed) {
            assertThat(decision.outcome()).isEqualTo(Outcome.ALLOW);
        } else {
            assertThat(decision.allReasons()).containsExactly(SOURCE_FAMILY_NOT_PERMITTED);
        }
    }

    // --- provider classes and policy modes ------------------------------------------------------

    static Stream<Arguments> everyProviderClassUnderEveryModeForEveryUseCase() {
        List<Arguments> cases = new ArrayList<>();
        for (String useCase : List.of(ANSWER_DRAFT, SUMMARY_DRAFT)) {
            cases.add(arguments(useCase, PRIVATE_ONLY, ProviderClass.LOCAL_PRIVATE, List.of()));
            cases.add(arguments(useCase, PRIVATE_ONLY, ProviderClass.EXTERNAL_PUBLIC, List.of(PROVIDER_CLASS_NOT_PERMITTED)));
            // A disabled mode is reported once, by its own rule: it does not also condemn the provider class...
            cases.add(arguments(useCase, DISABLED, ProviderClass.LOCAL_PRIVATE, List.of(WORKSPACE_POLICY_DISABLED)));
            // ...but external_public is still refused by the use case itself.
            cases.add(arguments(useCase, DISABLED, ProviderClass.EXTERNAL_PUBLIC,
                    List.of(WORKSPACE_POLICY_DISABLED, PROVIDER_CLASS_NOT_PERMITTED)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} under {1} to {2}: {3}")
    @MethodSource("everyProviderClassUnderEveryModeForEveryUseCase")
    void providerClassIsPermittedOnlyByBothThePolicyModeAndTheUseCase(
            String useCase, PolicyStatus policy, ProviderClass providerClass, List<BlockReason> expected) {
        Scenario scenario = Scenario.allowedFor(useCase);
        scenario.policy = policy;
        scenario.request.providerClass = providerClass;

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactlyElementsOf(expected);
        assertThat(decision.effectivePolicyMode()).isEqualTo(policy.mode());
        assertThat(decision.policyVersion()).isEqualTo(policy.version());
    }

    @Test
    void externalPublicUnderPrivateOnlyNamesTheUseCaseAndThePolicy() {
        Scenario scenario = Scenario.allowedFor(SUMMARY_DRAFT);
        scenario.request.providerClass = ProviderClass.EXTERNAL_PUBLIC;

        assertThat(scenario.decide().message()).isEqualTo("Blocked: provider class external_public is not permitted "
                + "for use case 'support_diagnostics.summary_draft' under policy private_only.");
    }

    // --- execution control ----------------------------------------------------------------------

    @Test
    void globalPauseBlocksAndReportsTheGlobalControlVersion() {
        Scenario scenario = Scenario.allowed();
        scenario.global = GLOBAL_PAUSED;

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactly(AI_EXECUTION_PAUSED);
        assertThat(decision.executionState()).isEqualTo(ControlState.PAUSED);
        assertThat(decision.controlVersion()).isEqualTo(GLOBAL_PAUSED.version());
        assertThat(decision.message()).isEqualTo("Blocked: AI execution is paused globally.");
    }

    @Test
    void workspacePauseBlocksAndReportsTheWorkspaceControlVersion() {
        Scenario scenario = Scenario.allowed();
        scenario.workspace = WORKSPACE_PAUSED;

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactly(AI_EXECUTION_PAUSED);
        assertThat(decision.executionState()).isEqualTo(ControlState.PAUSED);
        assertThat(decision.controlVersion()).isEqualTo(WORKSPACE_PAUSED.version());
        assertThat(decision.message()).isEqualTo("Blocked: AI execution is paused for workspace 'ws-1'.");
    }

    @Test
    void pauseAtBothScopesReportsTheGlobalVersionAndSaysPausedGlobally() {
        Scenario scenario = Scenario.allowed();
        scenario.global = GLOBAL_PAUSED;
        scenario.workspace = WORKSPACE_PAUSED;

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactly(AI_EXECUTION_PAUSED);
        assertThat(decision.executionState()).isEqualTo(ControlState.PAUSED);
        assertThat(decision.controlVersion()).isEqualTo(GLOBAL_PAUSED.version());
        assertThat(decision.message()).isEqualTo("Blocked: AI execution is paused globally.");
    }

    @Test
    void resumedWorkspaceControlDoesNotBlockAndTheGlobalVersionIsReported() {
        Scenario scenario = Scenario.allowed();
        scenario.workspace = WORKSPACE_RESUMED;

        Decision decision = scenario.decide();

        assertThat(decision.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(decision.executionState()).isEqualTo(ControlState.ENABLED);
        assertThat(decision.controlVersion()).isEqualTo(GLOBAL_ENABLED.version());
    }

    @Test
    void pauseBlocksEvenAWorkspaceThatNeverSetAPolicyAndIsPrimaryOverIt() {
        Scenario scenario = Scenario.allowed();
        scenario.workspace = WORKSPACE_PAUSED;
        scenario.policy = PolicyStatus.DEFAULT;

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactly(AI_EXECUTION_PAUSED, WORKSPACE_POLICY_DISABLED);
        assertThat(decision.message()).isEqualTo(
                "Blocked: AI execution is paused for workspace 'ws-1'. Also failing: workspace_policy_disabled.");
    }

    // --- allow, and the policy it was decided on ------------------------------------------------

    @Test
    void allowedRequestHasNoReasonsAndEchoesTheStateItWasDecidedOn() {
        Decision decision = Scenario.allowed().decide();

        assertThat(decision.outcome()).isEqualTo(Outcome.ALLOW);
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.reason()).isEmpty();
        assertThat(decision.allReasons()).isEmpty();
        assertThat(decision.rejectedClassifications()).isEmpty();
        assertThat(decision.effectivePolicyMode()).isEqualTo(PolicyMode.PRIVATE_ONLY);
        assertThat(decision.policyVersion()).isEqualTo(PRIVATE_ONLY.version());
        assertThat(decision.executionState()).isEqualTo(ControlState.ENABLED);
        assertThat(decision.controlVersion()).isEqualTo(GLOBAL_ENABLED.version());
        assertThat(decision.message()).isEqualTo("Allowed: use case 'product_knowledge.answer_draft' may send "
                + "product_knowledge to a local_private provider for workspace 'ws-1'.");
    }

    @Test
    void workspaceThatNeverSetAPolicyIsDisabledAtVersionZeroAndIsToldSo() {
        Scenario scenario = Scenario.allowed();
        scenario.policy = PolicyStatus.DEFAULT;

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactly(WORKSPACE_POLICY_DISABLED);
        assertThat(decision.effectivePolicyMode()).isEqualTo(PolicyMode.DISABLED);
        assertThat(decision.policyVersion()).isZero();
        assertThat(decision.message())
                .isEqualTo("Blocked: workspace 'ws-1' has never set an AI policy, so AI is disabled there.");
    }

    @Test
    void explicitlyDisabledPolicyEchoesItsVersionAndSaysItWasSetToDisabled() {
        Scenario scenario = Scenario.allowed();
        scenario.policy = DISABLED;

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactly(WORKSPACE_POLICY_DISABLED);
        assertThat(decision.effectivePolicyMode()).isEqualTo(PolicyMode.DISABLED);
        assertThat(decision.policyVersion()).isEqualTo(DISABLED.version());
        assertThat(decision.message()).isEqualTo("Blocked: workspace 'ws-1' has its AI policy set to disabled.");
    }

    // --- unknown use case -----------------------------------------------------------------------

    @Test
    void unknownUseCaseIsABlockNotAnError() {
        Decision decision = Scenario.allowed().failing(USE_CASE_NOT_APPROVED).decide();

        assertThat(decision.outcome()).isEqualTo(Outcome.BLOCK);
        assertThat(decision.allReasons()).containsExactly(USE_CASE_NOT_APPROVED);
        assertThat(decision.rejectedClassifications()).isEmpty();
        assertThat(decision.effectivePolicyMode()).isEqualTo(PolicyMode.PRIVATE_ONLY);
        assertThat(decision.policyVersion()).isEqualTo(PRIVATE_ONLY.version());
    }

    @Test
    void unknownUseCaseIgnoresEverythingThatOnlyTheUseCaseCouldJudge() {
        Scenario scenario = Scenario.allowed().failing(USE_CASE_NOT_APPROVED);
        scenario.request.tenantId = "tenant-1";
        scenario.request.sourceFamily = "billing";
        scenario.request.classifications(SECRET, PERSONAL_DATA);

        Decision decision = scenario.decide();

        assertThat(decision.allReasons()).containsExactly(USE_CASE_NOT_APPROVED);
        assertThat(decision.rejectedClassifications()).isEmpty();
    }

    @Test
    void unknownUseCaseStillFailsExternalPublicUnderPrivateOnly() {
        Decision decision = Scenario.allowed()
                .failing(USE_CASE_NOT_APPROVED).failing(PROVIDER_CLASS_NOT_PERMITTED).decide();

        assertThat(decision.allReasons()).containsExactly(USE_CASE_NOT_APPROVED, PROVIDER_CLASS_NOT_PERMITTED);
        assertThat(decision.message()).isEqualTo("Blocked: use case 'marketing.email_draft' is not in the catalog "
                + "of approved use cases. Also failing: provider_class_not_permitted.");
    }

    @Test
    void externalPublicFailsEvenUnderADisabledPolicyBecauseNoModePermitsIt() {
        Decision decision = Scenario.allowed().failing(WORKSPACE_POLICY_DISABLED)
                .failing(USE_CASE_NOT_APPROVED).failing(PROVIDER_CLASS_NOT_PERMITTED).decide();

        assertThat(decision.allReasons())
                .containsExactly(WORKSPACE_POLICY_DISABLED, USE_CASE_NOT_APPROVED, PROVIDER_CLASS_NOT_PERMITTED);
    }

    @Test
    void localPrivateUnderADisabledPolicyIsReportedOnlyAsDisabled() {
        Decision decision = Scenario.allowed().failing(WORKSPACE_POLICY_DISABLED).failing(USE_CASE_NOT_APPROVED).decide();

        assertThat(decision.allReasons()).containsExactly(WORKSPACE_POLICY_DISABLED, USE_CASE_NOT_APPROVED);
    }

    @ParameterizedTest(name = "''{0}''")
    @MethodSource("keysThatAreNotUseCases")
    void useCaseKeyMustMatchACatalogKeyExactly(String key) {
        Scenario scenario = Scenario.allowed();
        scenario.request.useCase = key;

        assertThat(scenario.decide().allReasons()).containsExactly(USE_CASE_NOT_APPROVED);
    }

    static Stream<String> keysThatAreNotUseCases() {
        return Stream.of("Product_Knowledge.Answer_Draft", "product_knowledge", "product_knowledge.answer_draft.v2");
    }
}
