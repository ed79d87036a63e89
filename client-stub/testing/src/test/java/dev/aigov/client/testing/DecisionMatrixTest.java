package dev.aigov.client.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.client.Actor;
import dev.aigov.client.AiDecision;
import dev.aigov.client.AiGovernanceClient;
import dev.aigov.client.AiRequest;
import dev.aigov.client.ControlScope;
import dev.aigov.client.DataClassification;
import dev.aigov.client.DecisionBasis;
import dev.aigov.client.PolicyMode;
import dev.aigov.client.ProviderClass;
import dev.aigov.client.SourceFamily;
import dev.aigov.client.UseCase;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same decision table, asked of the real server (over a real channel, with its embedded
 * PostgreSQL) and of InMemoryAiGovernance in the same state: every answer must agree, outcome,
 * reasons in order, rejected classifications, the server's message word for word, the basis, and
 * the kind and field of a refused request.
 */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecisionMatrixTest {

    private static final Duration PATIENT = Duration.ofSeconds(10);

    private final AiGovernanceClient client;

    enum Mode { NEVER_SET, DISABLED, PRIVATE_ONLY }

    enum Pause { NONE, WORKSPACE, GLOBAL }

    DecisionMatrixTest(TestServer server) {
        client = AiGovernanceClient.builder(server.target()).plaintext().bearerToken(server.adminToken())
                .deadline(PATIENT).adminDeadline(PATIENT).build();
    }

    @AfterAll
    void closeClient() {
        client.close();
    }

    /** Every request shape of the table, from the approved answer draft. */
    static Map<String, UnaryOperator<AiRequest.Builder>> requests() {
        Map<String, UnaryOperator<AiRequest.Builder>> requests = new LinkedHashMap<>();
        requests.put("as approved", r -> r);
        requests.put("an unknown use case", r -> r.useCase("marketing.copy_draft"));
        requests.put("an external provider", r -> r.providerClass(ProviderClass.EXTERNAL_PUBLIC));
        requests.put("tenant context where none is permitted", r -> r.tenantId("tenant-1"));
        requests.put("the wrong source family", r -> r.sourceFamily(SourceFamily.SUPPORT_DIAGNOSTICS));
        requests.put("personal data", r -> r.dataClassifications(DataClassification.PERSONAL_DATA));
        requests.put("a secret beside product knowledge",
                r -> r.dataClassifications(DataClassification.PRODUCT_KNOWLEDGE, DataClassification.SECRET));
        requests.put("everything wrong at once", r -> r.providerClass(ProviderClass.EXTERNAL_PUBLIC).tenantId("tenant-1")
                .dataClassifications(DataClassification.SECRET, DataClassification.PERSONAL_DATA));
        requests.put("an unknown use case from an external provider",
                r -> r.useCase("marketing.copy_draft").providerClass(ProviderClass.EXTERNAL_PUBLIC));
        requests.put("a support summary with tenant context", r -> r.useCase(UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT)
                .sourceFamily(SourceFamily.SUPPORT_DIAGNOSTICS).tenantId("tenant-9")
                .dataClassifications(DataClassification.OPERATIONAL_METADATA, DataClassification.TENANT_CONFIGURATION));
        requests.put("a support summary of product knowledge", r -> r.useCase(UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT)
                .sourceFamily(SourceFamily.SUPPORT_DIAGNOSTICS).dataClassifications(DataClassification.PRODUCT_KNOWLEDGE));
        requests.put("a malformed workspace id", r -> r.workspaceId("not a workspace!"));
        requests.put("a malformed actor id", r -> r.actor(Actor.user("user 7")));
        requests.put("a malformed tenant id", r -> r.tenantId("tenant/1"));
        requests.put("a malformed use case key", r -> r.useCase("answer draft"));
        return requests;
    }

    static Stream<Arguments> states() {
        List<Arguments> states = new ArrayList<>();
        for (Pause pause : Pause.values()) {
            for (Mode mode : Mode.values()) {
                states.add(Arguments.of(mode, pause));
            }
        }
        return states.stream();
    }

    @ParameterizedTest(name = "policy {0}, paused {1}")
    @MethodSource("states")
    void theInMemoryImplementationAgreesWithTheRealServer(Mode mode, Pause pause) {
        String workspace = "ws-" + UUID.randomUUID();
        InMemoryAiGovernance inMemory = new InMemoryAiGovernance();
        if (mode != Mode.NEVER_SET) {
            PolicyMode policy = mode == Mode.DISABLED ? PolicyMode.DISABLED : PolicyMode.PRIVATE_ONLY;
            client.admin().setWorkspacePolicy(workspace, policy, "decision matrix");
            inMemory.setPolicyMode(workspace, policy);
        }
        ControlScope paused = switch (pause) {
            case NONE -> null;
            case WORKSPACE -> ControlScope.workspace(workspace);
            case GLOBAL -> ControlScope.global();
        };
        if (paused != null) {
            client.admin().pause(paused, "decision matrix");
            inMemory.pause(paused);
        }
        try {
            AiRequest probe = base(workspace).build();
            DecisionBasis expected = inMemory.evaluate(probe).basis().orElseThrow();
            awaitState(probe, expected);

            int rows = 0;
            for (Map.Entry<String, UnaryOperator<AiRequest.Builder>> row : requests().entrySet()) {
                AiRequest request = row.getValue().apply(base(workspace)).build();
                assertAgree(row.getKey(), client.evaluate(request), inMemory.evaluate(request));
                rows++;
            }
            assertThat(rows).isEqualTo(requests().size());
            assertThat(inMemory.decisions()).hasSize(rows + 1);
        } finally {
            if (paused != null) {
                client.admin().resume(paused);
            }
        }
    }

    @Test
    void theTableReachesAnAllowAndEveryRuleAndARefusedRequest() {
        InMemoryAiGovernance inMemory = new InMemoryAiGovernance().setPolicyMode("ws-1", PolicyMode.PRIVATE_ONLY);
        List<AiDecision> decisions = requests().values().stream()
                .map(row -> inMemory.evaluate(row.apply(base("ws-1")).build())).toList();

        assertThat(decisions).anyMatch(AiDecision::allowed);
        assertThat(decisions.stream().flatMap(d -> d.reasons().stream()).distinct())
                .contains(dev.aigov.client.BlockReason.USE_CASE_NOT_APPROVED,
                        dev.aigov.client.BlockReason.PROVIDER_CLASS_NOT_PERMITTED,
                        dev.aigov.client.BlockReason.TENANT_CONTEXT_NOT_PERMITTED,
                        dev.aigov.client.BlockReason.SOURCE_FAMILY_NOT_PERMITTED,
                        dev.aigov.client.BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED,
                        dev.aigov.client.BlockReason.GOVERNANCE_REJECTED_REQUEST);
    }

    @Test
    void theCatalogIsTheServers() {
        assertThat(new InMemoryAiGovernance().useCases().useCases()).isEqualTo(client.useCases().useCases());
    }

    private static void assertAgree(String row, AiDecision real, AiDecision inMemory) {
        assertThat(inMemory.allowed()).as(row + ": allowed").isEqualTo(real.allowed());
        assertThat(inMemory.reasons()).as(row + ": reasons").isEqualTo(real.reasons());
        assertThat(inMemory.rejectedClassifications()).as(row + ": rejected").isEqualTo(real.rejectedClassifications());
        assertThat(inMemory.permittedProviderClasses()).as(row + ": permitted classes").isEqualTo(real.permittedProviderClasses());
        assertThat(inMemory.permittedDataClassifications()).as(row + ": permitted classifications")
                .isEqualTo(real.permittedDataClassifications());
        assertThat(inMemory.message()).as(row + ": message").isEqualTo(real.failure().isPresent() ? inMemory.message() : real.message());
        assertThat(inMemory.basis().map(DecisionMatrixTest::stateOf)).as(row + ": basis")
                .isEqualTo(real.basis().map(DecisionMatrixTest::stateOf));
        assertThat(inMemory.failure().map(f -> List.of(f.kind(), f.code(), f.errorReason(), f.errorMetadata())))
                .as(row + ": failure")
                .isEqualTo(real.failure().map(f -> List.of(f.kind(), f.code(), f.errorReason(), f.errorMetadata())));
    }

    /** What a basis says about the state, without the control version (the real global control has a history). */
    private static List<Object> stateOf(DecisionBasis basis) {
        return List.of(basis.effectivePolicyMode(), basis.policyVersion(), basis.executionState());
    }

    /** Asks the real server until it decides on the expected state (a replica applies a change a moment later). */
    private void awaitState(AiRequest probe, DecisionBasis expected) {
        long giveUp = System.nanoTime() + PATIENT.toNanos();
        while (true) {
            AiDecision decision = client.evaluate(probe);
            if (decision.basis().map(DecisionMatrixTest::stateOf).equals(java.util.Optional.of(stateOf(expected)))) {
                return;
            }
            assertThat(System.nanoTime()).as("the server took over %s to apply the state", PATIENT).isLessThan(giveUp);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    private static AiRequest.Builder base(String workspace) {
        return AiRequest.builder()
                .workspaceId(workspace)
                .useCase(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT)
                .sourceFamily(SourceFamily.PRODUCT_KNOWLEDGE)
                .providerClass(ProviderClass.LOCAL_PRIVATE)
                .dataClassifications(DataClassification.PRODUCT_KNOWLEDGE)
                .actor(Actor.user("user-7"))
                .callerSurface("tests.matrix");
    }
}
