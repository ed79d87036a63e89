package dev.aigov.client;

import static dev.aigov.client.FakeDecisionServer.allowDecision;
import static dev.aigov.client.FakeDecisionServer.answerWith;
import static dev.aigov.client.FakeDecisionServer.blockDecision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.SigningKeys;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ReceiptPolicy.STRICT (the default): an ALLOW stands only with a receipt that verifies against
 * aigov's published (or pinned) keys and is an unexpired ALLOW of this very request; otherwise it is
 * the client's own GOVERNANCE_UNAVAILABLE block, and no guard runs the work. OFF passes ALLOWs through.
 */
class ReceiptsTest {

    private static final Duration PATIENT = Duration.ofSeconds(5);
    private static final Duration TTL = Duration.ofSeconds(60);

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MICROS));
    /** The ticker the key refresh is rate-limited by: moves only when a test moves it. */
    private final AtomicLong ticker = new AtomicLong();
    private final AtomicInteger workRuns = new AtomicInteger();
    private FakeDecisionServer server;
    private AiGovernanceClient client;

    @BeforeEach
    void start() {
        server = FakeDecisionServer.start();
        server.clock = clock;
        server.receiptTtl = TTL;
        client = strict().build();
    }

    private AiGovernanceClientBuilder strict() {
        return AiGovernanceClient.builder(server.target()).plaintext().bearerToken("t").deadline(PATIENT)
                .receiptClock(clock).receiptClockSkew(Duration.ZERO).keyRefresh(Duration.ofSeconds(1), ticker::get);
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        server.close();
    }

    private String work() {
        workRuns.incrementAndGet();
        return "draft";
    }

    // ---- the answers ----

    /** An ALLOW whose receipt is signed by {@code key}, over its event as {@code change} leaves it. */
    private FakeDecisionServer.Answer allowSigned(SigningKeys.PrivateKey key, Consumer<Map<String, Object>> change) {
        return (request, response) -> {
            Decision decision = allowDecision().build();
            Map<String, Object> event = server.event(request, decision);
            change.accept(event);
            respond(response, decision.toBuilder().setReceipt(server.receiptFor(event, key)).build());
        };
    }

    private FakeDecisionServer.Answer allowSigned(SigningKeys.PrivateKey key) {
        return allowSigned(key, event -> {});
    }

    private static void respond(io.grpc.stub.StreamObserver<EvaluateAiRequestResponse> response, Decision decision) {
        response.onNext(EvaluateAiRequestResponse.newBuilder().setDecision(decision).build());
        response.onCompleted();
    }

    private static void assertRefused(AiDecision decision, String why) {
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains(BlockReason.GOVERNANCE_UNAVAILABLE);
        assertThat(decision.failure()).hasValueSatisfying(failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.UNAVAILABLE);
            assertThat(failure.errorMetadata()).containsEntry("receipt", why);
        });
        assertThat(decision.verifiedReceipt()).isEmpty();
    }

    // ---- strict ----

    @Test
    void anAllowWithAValidReceiptStandsAndCarriesWhatWasVerified() {
        AiRequest request = Requests.productAnswer();

        AiDecision decision = client.evaluate(request);

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.receipt()).isPresent();
        assertThat(decision.verifiedReceipt()).hasValueSatisfying(verified -> {
            assertThat(verified.decisionId().toString()).isEqualTo(decision.decisionId().orElseThrow());
            assertThat(verified.workspaceId()).isEqualTo(request.workspaceId());
            assertThat(verified.providerClass()).isEqualTo("local_private");
            assertThat(verified.expiresAt()).isEqualTo(clock.instant().plus(TTL));
        });
        assertThat(server.keyFetches).hasValue(1);
        assertThat(server.keyHeaders).singleElement()
                .satisfies(h -> assertThat(h.get(BearerTokenCredentials.AUTHORIZATION)).isEqualTo("Bearer t"));
    }

    @Test
    void anAllowWithoutAReceiptIsABlock() {
        server.receipts = false;

        assertRefused(client.evaluate(Requests.productAnswer()), "missing");
        assertRefused(client.evaluateAsync(Requests.productAnswer()).join(), "missing");
    }

    @Test
    void aTamperedReceiptIsABlock() {
        server.otherwiseAnswer((request, response) -> {
            Decision decision = allowDecision().build();
            dev.aigov.api.v1.Receipt receipt = server.receiptFor(request, decision);
            String event = receipt.getEvent().toStringUtf8().replace("control_version=1", "control_version=2");
            respond(response, decision.toBuilder().setReceipt(receipt.toBuilder()
                    .setEvent(com.google.protobuf.ByteString.copyFrom(event, StandardCharsets.UTF_8))).build());
        });

        AiDecision decision = client.evaluate(Requests.productAnswer());

        assertRefused(decision, "not_included");
        assertThat(decision.receipt()).as("the refused receipt is kept").isPresent();
    }

    @Test
    void aReceiptForAnotherProviderClassIsABlock() {
        server.otherwiseAnswer(allowSigned(server.signingKey, event -> event.put("provider_class", "external_public")));

        assertRefused(client.evaluate(Requests.productAnswer()), "mismatch");
    }

    @Test
    void aReceiptWithoutADeclaredClassificationIsABlock() {
        server.otherwiseAnswer(allowSigned(server.signingKey,
                event -> event.put("data_classifications", java.util.List.of("operational_metadata"))));

        assertRefused(client.evaluate(Requests.productAnswer()), "mismatch");
    }

    @Test
    void aReceiptOfAnotherDecisionIsABlock() {
        server.otherwiseAnswer(allowSigned(server.signingKey, event -> event.put("decision_id", java.util.UUID.randomUUID().toString())));

        assertRefused(client.evaluate(Requests.productAnswer()), "mismatch");
    }

    @Test
    void theReceiptOfABlockOnAnAllowIsABlock() {
        server.otherwiseAnswer(allowSigned(server.signingKey, event -> {
            event.put("outcome", "block");
            event.put("reason", "workspace_policy_disabled");
        }));

        assertRefused(client.evaluate(Requests.productAnswer()), "not_allowed");
    }

    @Test
    void anExpiredReceiptIsABlock() {
        Instant decided = clock.instant();
        server.otherwiseAnswer(allowSigned(server.signingKey,
                event -> event.put("occurred_at", EventEncoding.timestamp(decided.minus(TTL)))));

        assertRefused(client.evaluate(Requests.productAnswer()), "expired");
    }

    @Test
    void aReceiptByAnUnknownKeyIsABlock() {
        server.otherwiseAnswer(allowSigned(SigningKeys.generate()));

        assertRefused(client.evaluate(Requests.productAnswer()), "unknown_key");
    }

    @Test
    void theGuardsNeverRunTheWorkWithoutAValidReceipt() {
        server.receipts = false;

        assertThatThrownBy(() -> client.runIfAllowed(Requests.productAnswer(), this::work))
                .isInstanceOfSatisfying(AiExecutionBlockedException.class,
                        e -> assertRefused(e.decision(), "missing"));
        assertThatThrownBy(() -> client.requireAllowed(Requests.productAnswer()))
                .isInstanceOf(AiExecutionBlockedException.class);
        assertThatThrownBy(() -> client.runIfAllowedAsync(Requests.productAnswer(),
                () -> java.util.concurrent.CompletableFuture.completedFuture(work())).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(AiExecutionBlockedException.class);
        server.receipts = true;
        server.otherwiseAnswer(allowSigned(SigningKeys.generate()));
        assertThatThrownBy(() -> client.runIfAllowed(Requests.productAnswer(), this::work))
                .isInstanceOf(AiExecutionBlockedException.class);

        assertThat(workRuns).hasValue(0);
        assertThat(server.requests).hasSize(4);
    }

    @Test
    void theGuardRunsTheWorkWithAValidReceipt() {
        assertThat(client.runIfAllowed(Requests.productAnswer(), this::work)).isEqualTo("draft");
        assertThat(workRuns).hasValue(1);
    }

    @Test
    void aBlockNeedsNoReceipt() {
        server.receipts = false;
        server.otherwiseAnswer(answerWith(blockDecision(dev.aigov.api.v1.BlockReason.BLOCK_REASON_WORKSPACE_POLICY_DISABLED)
                .build()));

        AiDecision decision = client.evaluate(Requests.productAnswer());

        assertThat(decision.reason()).contains(BlockReason.WORKSPACE_POLICY_DISABLED);
        assertThat(decision.failure()).isEmpty();
        assertThat(server.keyFetches).hasValue(0);
    }

    // ---- keys ----

    @Test
    void anUnknownKeyIdRefreshesTheKeysOnceThenVerifies() {
        assertThat(client.evaluate(Requests.productAnswer()).allowed()).isTrue();
        assertThat(client.evaluate(Requests.productAnswer()).allowed()).isTrue();
        assertThat(server.keyFetches).as("cached").hasValue(1);
        server.rotateKey();
        ticker.addAndGet(Duration.ofSeconds(1).toNanos());

        assertThat(client.evaluate(Requests.productAnswer()).allowed()).isTrue();
        assertThat(client.evaluate(Requests.productAnswer()).allowed()).isTrue();

        assertThat(server.keyFetches).hasValue(2);
    }

    @Test
    void forgedKeyIdsRefreshTheKeysAtMostOnceASecond() {
        server.otherwiseAnswer(allowSigned(SigningKeys.generate()));
        for (int i = 0; i < 5; i++) {
            assertRefused(client.evaluate(Requests.productAnswer()), "unknown_key");
        }
        assertThat(server.keyFetches).hasValue(1);

        ticker.addAndGet(Duration.ofSeconds(1).toNanos());
        assertRefused(client.evaluate(Requests.productAnswer()), "unknown_key");

        assertThat(server.keyFetches).hasValue(2);
    }

    @Test
    void keysThatCannotBeFetchedFailClosed() {
        server.keysFailure = Status.UNAVAILABLE.withDescription("down");

        AiDecision decision = client.evaluate(Requests.productAnswer());
        assertRefused(decision, "keys_unavailable");
        assertThat(decision.failure().orElseThrow().code()).isEqualTo(StatusCode.UNAVAILABLE);
        assertRefused(client.evaluateAsync(Requests.productAnswer()).join(), "keys_unavailable");
        assertThat(server.keyFetches).as("rate-limited").hasValue(1);

        server.keysFailure = Status.PERMISSION_DENIED.withDescription("no");
        ticker.addAndGet(Duration.ofSeconds(1).toNanos());
        assertRefused(client.evaluate(Requests.productAnswer()), "keys_unavailable");

        server.keysFailure = null;
        ticker.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(client.evaluate(Requests.productAnswer()).allowed()).isTrue();
        assertThat(workRuns).hasValue(0);
    }

    @Test
    void pinnedKeysAreNeverFetched() {
        try (AiGovernanceClient pinned = strict().trustedKeys(SigningKeys.KeySet.of(server.signingKey.publicKey())).build();
             AiGovernanceClient pinnedElsewhere = strict().trustedKeys(SigningKeys.KeySet.of(SigningKeys.generate().publicKey()))
                     .build()) {
            assertThat(pinned.evaluate(Requests.productAnswer()).allowed()).isTrue();
            assertRefused(pinnedElsewhere.evaluate(Requests.productAnswer()), "unknown_key");
        }

        assertThat(server.keyFetches).hasValue(0);
    }

    @Test
    void keyRotationKeepsOlderReceiptsVerifiableUntilTheyExpire() {
        SigningKeys.PrivateKey old = server.signingKey;
        Instant decided = clock.instant();
        assertThat(client.evaluate(Requests.productAnswer()).allowed()).isTrue();
        server.rotateKey();
        ticker.addAndGet(Duration.ofSeconds(1).toNanos());
        clock.set(decided.plusSeconds(30));
        // A receipt of the old key, of a decision made before the rotation (a replayed request id's, say).
        FakeDecisionServer.Answer beforeRotation = allowSigned(old,
                event -> event.put("occurred_at", EventEncoding.timestamp(decided)));

        server.thenAnswer(beforeRotation);
        assertThat(client.evaluate(Requests.productAnswer()).allowed()).isTrue();
        assertThat(client.evaluate(Requests.productAnswer()).allowed()).as("the new key's").isTrue();

        clock.set(decided.plus(TTL));
        server.thenAnswer(beforeRotation);
        assertRefused(client.evaluate(Requests.productAnswer()), "expired");
        assertThat(client.evaluate(Requests.productAnswer()).allowed()).as("the new key's, fresh").isTrue();
    }

    // ---- off ----

    @Test
    void offPassesAnAllowThroughUnchecked() {
        server.receipts = false;
        try (AiGovernanceClient off = strict().receipts(ReceiptPolicy.OFF).build()) {
            assertThat(off.evaluate(Requests.productAnswer()).allowed()).isTrue();
            server.receipts = true;
            server.otherwiseAnswer(allowSigned(SigningKeys.generate()));
            AiDecision unchecked = off.evaluate(Requests.productAnswer());
            assertThat(unchecked.allowed()).isTrue();
            assertThat(unchecked.receipt()).isPresent();
            assertThat(unchecked.verifiedReceipt()).isEmpty();
            assertThat(off.runIfAllowed(Requests.productAnswer(), this::work)).isEqualTo("draft");
        }

        assertThat(server.keyFetches).hasValue(0);
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
