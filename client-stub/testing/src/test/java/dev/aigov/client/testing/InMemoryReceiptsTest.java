package dev.aigov.client.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.client.Actor;
import dev.aigov.client.AiDecision;
import dev.aigov.client.AiRequest;
import dev.aigov.client.DataClassification;
import dev.aigov.client.FailureKind;
import dev.aigov.client.PolicyMode;
import dev.aigov.client.ProviderClass;
import dev.aigov.client.SourceFamily;
import dev.aigov.client.UseCase;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.InvalidReceipt;
import dev.aigov.evidence.Receipt;
import dev.aigov.evidence.ReceiptVerifier;
import dev.aigov.evidence.SigningKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** InMemoryAiGovernance's decisions carry real receipts that a test verifies as a model gateway would. */
class InMemoryReceiptsTest {

    private static final List<String> PRODUCT_KNOWLEDGE = List.of("product_knowledge");

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    private final InMemoryAiGovernance governance = new InMemoryAiGovernance(clock)
            .setPolicyMode("ws-1", PolicyMode.PRIVATE_ONLY);

    private static AiRequest request(ProviderClass providerClass) {
        return AiRequest.builder().workspaceId("ws-1").useCase(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT)
                .sourceFamily(SourceFamily.PRODUCT_KNOWLEDGE).providerClass(providerClass)
                .dataClassifications(DataClassification.PRODUCT_KNOWLEDGE).actor(Actor.user("user-7")).build();
    }

    @Test
    void anAllowsReceiptVerifiesWithItsKeys() throws InvalidReceipt {
        AiDecision decision = governance.evaluate(request(ProviderClass.LOCAL_PRIVATE));
        Receipt receipt = decision.receipt().orElseThrow();

        ReceiptVerifier.Verified verified = new ReceiptVerifier(governance.signingKeys())
                .requireAllowed(receipt, "ws-1", "local_private", PRODUCT_KNOWLEDGE);

        assertThat(decision.allowed()).isTrue();
        assertThat(verified.decisionId().toString()).isEqualTo(decision.decisionId().orElseThrow());
        assertThat(verified.expiresAt()).isEqualTo(clock.instant().plusSeconds(60));
    }

    @Test
    void theEventIsInTheServersWords() {
        AiDecision decision = governance.evaluate(request(ProviderClass.LOCAL_PRIVATE));

        Map<String, Object> event = EventEncoding.decode(decision.receipt().orElseThrow().event());

        assertThat(event).containsEntry("kind", "ai_decision").containsEntry("outcome", "allow")
                .containsEntry("event_id", decision.auditEventId().orElseThrow())
                .containsEntry("request_id", decision.requestId().toString())
                .containsEntry("provider_class", "local_private").containsEntry("actor_kind", "user")
                .containsEntry("policy_mode", "private_only").containsEntry("control_state", "enabled")
                .containsEntry("data_classifications", PRODUCT_KNOWLEDGE).containsEntry("all_reasons", List.of())
                .containsKey("catalog_digest").doesNotContainKey("reason");
    }

    @Test
    void aBlocksReceiptVerifiesButProvesNoAllow() throws InvalidReceipt {
        AiDecision decision = governance.evaluate(request(ProviderClass.EXTERNAL_PUBLIC));
        Receipt receipt = decision.receipt().orElseThrow();
        ReceiptVerifier verifier = governance.receiptVerifier();

        assertThat(decision.allowed()).isFalse();
        assertThat(verifier.verify(receipt).outcome()).isEqualTo("block");
        assertThat(verifier.verify(receipt).columns()).containsEntry("reason", "provider_class_not_permitted");
        assertThatThrownBy(() -> verifier.requireAllowed(receipt, "external_public", PRODUCT_KNOWLEDGE))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.NOT_ALLOWED));
    }

    @Test
    void receiptsExpireByItsClock() throws InvalidReceipt {
        governance.receiptTtl(Duration.ofSeconds(10));
        Receipt receipt = governance.evaluate(request(ProviderClass.LOCAL_PRIVATE)).receipt().orElseThrow();
        ReceiptVerifier verifier = governance.receiptVerifier();
        verifier.requireAllowed(receipt, "local_private", PRODUCT_KNOWLEDGE);

        clock.set(clock.instant().plusSeconds(10));

        assertThatThrownBy(() -> verifier.requireAllowed(receipt, "local_private", PRODUCT_KNOWLEDGE))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.EXPIRED));
    }

    @Test
    void anotherInstancesKeyDoesNotVerifyIt() {
        Receipt receipt = governance.evaluate(request(ProviderClass.LOCAL_PRIVATE)).receipt().orElseThrow();
        SigningKeys.KeySet others = new InMemoryAiGovernance().signingKeys();

        assertThat(others.keys()).doesNotContainAnyElementsOf(governance.signingKeys().keys());
        assertThatThrownBy(() -> new ReceiptVerifier(others).requireAllowed(receipt, "local_private", PRODUCT_KNOWLEDGE))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.UNKNOWN_KEY));
    }

    @Test
    void anInjectedFailureHasNoReceipt() {
        governance.failNext(FailureKind.UNAVAILABLE);

        assertThat(governance.evaluate(request(ProviderClass.LOCAL_PRIVATE)).receipt()).isEmpty();
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
