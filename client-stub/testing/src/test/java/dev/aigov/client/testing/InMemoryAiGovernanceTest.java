package dev.aigov.client.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.catalog.InvalidFile;
import dev.aigov.client.Actor;
import dev.aigov.client.AiDecision;
import dev.aigov.client.AiExecutionBlockedException;
import dev.aigov.client.AiRequest;
import dev.aigov.client.BlockReason;
import dev.aigov.client.ControlScope;
import dev.aigov.client.ControlState;
import dev.aigov.client.DataClassification;
import dev.aigov.client.ErrorReason;
import dev.aigov.client.FailureKind;
import dev.aigov.client.PolicyMode;
import dev.aigov.client.ProviderClass;
import dev.aigov.client.SourceFamily;
import dev.aigov.client.UseCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a test can do with the in-memory implementation; its agreement with the server is DecisionMatrixTest's. */
class InMemoryAiGovernanceTest {

    private final InMemoryAiGovernance governance = new InMemoryAiGovernance();
    private final AtomicInteger runs = new AtomicInteger();

    private static AiRequest request(String workspace) {
        return AiRequest.builder().workspaceId(workspace).useCase(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT)
                .sourceFamily(SourceFamily.PRODUCT_KNOWLEDGE).providerClass(ProviderClass.LOCAL_PRIVATE)
                .dataClassifications(DataClassification.PRODUCT_KNOWLEDGE).actor(Actor.user("user-7")).build();
    }

    /** A service's own catalog: one use case, none of the built-in ones; line 7 is its classifications. */
    private static final String SERVICE_CATALOG = """
            {"format": 1, "use_cases": [
              {"key": "billing.invoice_summary",
               "description": "Summarise an invoice.",
               "source_family": "billing",
               "tenant_context_permitted": true,
               "provider_classes": ["local_private"],
               "data_classifications": ["operational_metadata"]}
            ]}
            """;

    @Test
    void withCatalogFileItDecidesWithTheServicesOwnCatalog(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("catalog.json"), SERVICE_CATALOG);
        InMemoryAiGovernance own = new InMemoryAiGovernance().withCatalogFile(file).setPolicyMode("ws-1", PolicyMode.PRIVATE_ONLY);

        assertThat(own.evaluate(invoice(DataClassification.OPERATIONAL_METADATA)).allowed()).isTrue();
        assertThat(own.evaluate(invoice(DataClassification.PERSONAL_DATA)).rejectedClassifications())
                .containsExactly(DataClassification.PERSONAL_DATA);
        assertThat(own.evaluate(request("ws-1")).reason()).contains(BlockReason.USE_CASE_NOT_APPROVED);
        assertThat(own.useCases().useCases()).extracting(approved -> approved.useCase().key()).containsExactly("billing.invoice_summary");
        // The default instance still decides with the built-in catalog.
        assertThat(governance.setPolicyMode("ws-1", PolicyMode.PRIVATE_ONLY).evaluate(request("ws-1")).allowed()).isTrue();
    }

    private static AiRequest invoice(DataClassification classification) {
        return AiRequest.builder().workspaceId("ws-1").tenantId("tenant-7").useCase(UseCase.of("billing.invoice_summary"))
                .sourceFamily(SourceFamily.of("billing")).providerClass(ProviderClass.LOCAL_PRIVATE)
                .dataClassifications(classification).actor(Actor.user("user-7")).build();
    }

    @Test
    void anInvalidCatalogFileIsRefusedWithItsLine(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("catalog.json"), SERVICE_CATALOG.replace("\"operational_metadata\"", "\"metadata\""));

        assertThatThrownBy(() -> new InMemoryAiGovernance().withCatalogFile(file)).isInstanceOf(InvalidFile.class)
                .hasMessage(file + " line 7: use case 'billing.invoice_summary': unknown data classification 'metadata' in "
                        + "data_classifications (one of: product_knowledge, operational_metadata, workspace_configuration, "
                        + "tenant_configuration, personal_data, secret)");
    }

    @Test
    void aFreshWorkspaceIsDisabledAsOnTheServer() {
        AiDecision decision = governance.evaluate(request("ws-1"));

        assertThat(decision.reason()).contains(BlockReason.WORKSPACE_POLICY_DISABLED);
        assertThat(decision.basis()).hasValueSatisfying(basis -> {
            assertThat(basis.effectivePolicyMode()).isEqualTo(PolicyMode.DISABLED);
            assertThat(basis.policyVersion()).isZero();
        });
    }

    @Test
    void policyPauseAndResumeChangeTheDecisionAndTheVersions() {
        governance.setPolicyMode("ws-1", PolicyMode.PRIVATE_ONLY);
        assertThat(governance.evaluate(request("ws-1")).allowed()).isTrue();

        governance.pause(ControlScope.global());
        AiDecision paused = governance.evaluate(request("ws-1"));
        governance.resume(ControlScope.workspace("ws-1"));
        AiDecision stillPaused = governance.evaluate(request("ws-1"));
        governance.resume(ControlScope.global());

        assertThat(paused.reason()).contains(BlockReason.AI_EXECUTION_PAUSED);
        assertThat(paused.message()).contains("paused globally");
        assertThat(paused.basis()).hasValueSatisfying(basis -> {
            assertThat(basis.executionState()).isEqualTo(ControlState.PAUSED);
            assertThat(basis.controlVersion()).isEqualTo(1);
        });
        assertThat(stillPaused.reason()).contains(BlockReason.AI_EXECUTION_PAUSED);
        assertThat(governance.evaluate(request("ws-1")).allowed()).isTrue();
        assertThat(governance.evaluate(request("ws-2")).allowed()).isFalse();
        assertThat(governance.evaluations()).hasSize(5)
                .allSatisfy(evaluation -> assertThat(evaluation.decision().requestId()).isNotNull());
    }

    @ParameterizedTest
    @EnumSource(FailureKind.class)
    void anInjectedFailureIsABlockOfItsKindOnceAndTheGuardHolds(FailureKind kind) throws Exception {
        governance.setPolicyMode("ws-1", PolicyMode.PRIVATE_ONLY).failNext(kind);

        assertThatThrownBy(() -> governance.runIfAllowed(request("ws-1"), runs::incrementAndGet))
                .isInstanceOfSatisfying(AiExecutionBlockedException.class, blocked -> {
                    assertThat(blocked.decision().reason()).contains(kind.blockReason());
                    assertThat(blocked.decision().failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(kind));
                });
        assertThat(runs).hasValue(0);
        assertThat(governance.runIfAllowed(request("ws-1"), runs::incrementAndGet)).isEqualTo(1);
    }

    @Test
    void failAlwaysLastsUntilStopped() throws Exception {
        governance.setPolicyMode("ws-1", PolicyMode.PRIVATE_ONLY).failAlways(FailureKind.UNAVAILABLE);

        CompletableFuture<Integer> async = governance.runIfAllowedAsync(request("ws-1"),
                () -> CompletableFuture.completedFuture(runs.incrementAndGet()));
        assertThat(async).isCompletedExceptionally();
        assertThat(governance.evaluate(request("ws-1")).reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
        governance.stopFailing();
        assertThat(governance.runIfAllowedAsync(request("ws-1"),
                () -> CompletableFuture.completedFuture(runs.incrementAndGet())).get()).isEqualTo(1);
    }

    @Test
    void aMalformedRequestIsARefusedRequestNamingTheFieldAsTheServerAnswersIt() {
        AiDecision decision = governance.evaluate(request("not a workspace!"));

        assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_REJECTED_REQUEST);
        assertThat(decision.failure()).hasValueSatisfying(failure -> {
            assertThat(failure.errorReason()).isEqualTo(ErrorReason.INVALID_FIELD);
            assertThat(failure.errorMetadata()).containsEntry("field", "workspace_id");
        });
    }

    @Test
    void aBlankScopeCannotBeMadeAndUnrecognizedCannotBeSet() {
        assertThatThrownBy(() -> governance.pause(ControlScope.workspace(" "))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> governance.setPolicyMode("ws-1", PolicyMode.UNRECOGNIZED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCatalogIsTheCodeOwnedOne() {
        assertThat(governance.useCases().missing(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT,
                UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT, UseCase.of("marketing.copy_draft")))
                .containsExactly(UseCase.of("marketing.copy_draft"));
    }
}
