package dev.aigov.client.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
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
