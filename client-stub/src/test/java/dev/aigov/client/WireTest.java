package dev.aigov.client;

import static dev.aigov.client.FakeDecisionServer.allow;
import static dev.aigov.client.FakeDecisionServer.answerWith;
import static dev.aigov.client.FakeDecisionServer.blockDecision;
import static dev.aigov.client.FakeDecisionServer.blockDecisionRejecting;
import static dev.aigov.client.FakeDecisionServer.fail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.EvaluateAiRequestRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What goes over the wire: the request, the token, the request id, retries; and what comes back. */
class WireTest {

    private FakeDecisionServer server;
    private AiGovernanceClient client;

    @BeforeEach
    void start() {
        server = FakeDecisionServer.start();
        client = AiGovernanceClient.builder("dns:///" + server.target())
                .plaintext()
                .bearerToken("test-token")
                .build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        server.close();
    }

    @Test
    void everyPartOfTheRequestIsSentInTheContractsWords() {
        UUID requestId = UUID.randomUUID();
        client.evaluate(AiRequest.builder()
                .workspaceId("ws-1")
                .tenantId("tenant-9")
                .useCase(UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT)
                .sourceFamily(SourceFamily.SUPPORT_DIAGNOSTICS)
                .providerClass(ProviderClass.EXTERNAL_PUBLIC)
                .dataClassifications(DataClassification.TENANT_CONFIGURATION, DataClassification.OPERATIONAL_METADATA)
                .actor(Actor.service("nightly-digest"))
                .callerSurface("jobs.digest")
                .requestId(requestId)
                .build());

        assertThat(server.requests).singleElement().isEqualTo(EvaluateAiRequestRequest.newBuilder()
                .setWorkspaceId("ws-1")
                .setTenantId("tenant-9")
                .setUseCase("support_diagnostics.summary_draft")
                .setSourceFamily("support_diagnostics")
                .setProviderClass(dev.aigov.api.v1.ProviderClass.PROVIDER_CLASS_EXTERNAL_PUBLIC)
                .addDataClassifications(dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA)
                .addDataClassifications(dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_TENANT_CONFIGURATION)
                .setActor(dev.aigov.api.v1.Actor.newBuilder()
                        .setId("nightly-digest").setKind(dev.aigov.api.v1.ActorKind.ACTOR_KIND_SERVICE))
                .setCallerSurface("jobs.digest")
                .setRequestId(requestId.toString())
                .build());
    }

    @Test
    void theBearerTokenIsOnEveryCall() {
        client.evaluate(Requests.productAnswer());
        client.evaluateAsync(Requests.productAnswer()).join();

        assertThat(server.headers).hasSize(2)
                .allSatisfy(headers -> assertThat(headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)))
                        .isEqualTo("Bearer test-token"));
    }

    @Test
    void aRotatingTokenIsAskedForOnEveryCall() {
        AtomicInteger generation = new AtomicInteger();
        try (AiGovernanceClient rotating = AiGovernanceClient.builder(server.target()).plaintext()
                .bearerToken(() -> "token-" + generation.incrementAndGet())
                .build()) {
            rotating.evaluate(Requests.productAnswer());
            rotating.evaluate(Requests.productAnswer());
        }

        // The first ALLOW's receipt fetched the signing keys in between, with the token of its own call.
        assertThat(server.headers).extracting(h -> h.get(BearerTokenCredentials.AUTHORIZATION))
                .containsExactly("Bearer token-1", "Bearer token-3");
        assertThat(server.keyHeaders).extracting(h -> h.get(BearerTokenCredentials.AUTHORIZATION))
                .containsExactly("Bearer token-2");
    }

    @Test
    void eachEvaluationGetsAFreshRequestIdEvenForTheSameRequestObject() {
        AiRequest request = Requests.productAnswer();

        AiDecision first = client.evaluate(request);
        AiDecision second = client.evaluate(request);

        assertThat(server.requests).extracting(EvaluateAiRequestRequest::getRequestId)
                .containsExactly(first.requestId().toString(), second.requestId().toString())
                .doesNotHaveDuplicates();
    }

    @Test
    void unavailableIsRetriedWithTheSameRequestIdAndTheRetrysAnswerCounts() {
        server.thenAnswer(fail(Status.UNAVAILABLE, "ERROR_REASON_STORAGE_UNAVAILABLE"), allow());

        AiDecision decision = client.evaluate(Requests.productAnswer());

        assertThat(decision.allowed()).isTrue();
        assertThat(server.requests).hasSize(2)
                .extracting(EvaluateAiRequestRequest::getRequestId)
                .containsOnly(decision.requestId().toString());
        assertThat(server.headers).hasSize(2)
                .allSatisfy(headers -> assertThat(headers.get(BearerTokenCredentials.AUTHORIZATION)).isNotNull());
    }

    @Test
    void persistentUnavailableIsABlockAfterTheLastAttempt() {
        server.otherwiseAnswer(fail(Status.UNAVAILABLE, "ERROR_REASON_STORAGE_UNAVAILABLE"));

        AiDecision decision = client.evaluate(Requests.productAnswer());

        assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
        assertThat(decision.failure()).map(GovernanceFailure::errorReason).contains(ErrorReason.STORAGE_UNAVAILABLE);
        assertThat(server.requests).hasSize(AiGovernanceClientBuilder.DEFAULT_MAX_ATTEMPTS);
    }

    @Test
    void otherErrorsAreNotRetried() {
        server.otherwiseAnswer(fail(Status.INVALID_ARGUMENT, "ERROR_REASON_INVALID_FIELD"));

        client.evaluate(Requests.productAnswer());

        assertThat(server.requests).hasSize(1);
    }

    @Test
    void retriesCanBeTurnedOff() {
        server.otherwiseAnswer(fail(Status.UNAVAILABLE, null));
        try (AiGovernanceClient once = AiGovernanceClient.builder(server.target()).plaintext()
                .bearerToken("t").maxAttempts(1).build()) {
            assertThat(once.evaluate(Requests.productAnswer()).allowed()).isFalse();
        }

        assertThat(server.requests).hasSize(1);
    }

    @Test
    void anAllowIsReadInFull() {
        var sent = FakeDecisionServer.allowDecision().build();
        server.otherwiseAnswer(answerWith(sent));

        AiDecision decision = client.evaluate(Requests.productAnswer());

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.reason()).isEmpty();
        assertThat(decision.reasons()).isEmpty();
        assertThat(decision.rejectedClassifications()).isEmpty();
        assertThat(decision.decisionId()).contains(sent.getDecisionId());
        assertThat(decision.auditEventId()).contains(sent.getAuditEventId());
        assertThat(decision.message()).isEqualTo("Allowed.");
        assertThat(decision.failure()).isEmpty();
        assertThat(decision.basis()).contains(new DecisionBasis(
                PolicyMode.PRIVATE_ONLY, 3, ControlState.ENABLED, 1, Instant.ofEpochSecond(1_700_000_000L)));
    }

    @Test
    void aBlockIsReadWithAllItsReasonsAndRejectedClassifications() {
        server.thenAnswer(
                answerWith(blockDecision(
                        dev.aigov.api.v1.BlockReason.BLOCK_REASON_WORKSPACE_POLICY_DISABLED,
                        dev.aigov.api.v1.BlockReason.BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED).build()),
                answerWith(blockDecisionRejecting(
                        dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_PERSONAL_DATA,
                        dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_SECRET).build()));

        AiDecision twoReasons = client.evaluate(Requests.productAnswer());
        AiDecision rejecting = client.evaluate(Requests.productAnswer());

        assertThat(twoReasons.allowed()).isFalse();
        assertThat(twoReasons.reason()).contains(BlockReason.WORKSPACE_POLICY_DISABLED);
        assertThat(twoReasons.reasons())
                .containsExactly(BlockReason.WORKSPACE_POLICY_DISABLED, BlockReason.TENANT_CONTEXT_NOT_PERMITTED);
        assertThat(twoReasons.failure()).isEmpty();
        assertThat(twoReasons.decisionId()).isPresent();
        assertThat(rejecting.reason()).contains(BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED);
        assertThat(rejecting.rejectedClassifications())
                .containsExactly(DataClassification.PERSONAL_DATA, DataClassification.SECRET);
    }
}
