package dev.aigov.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Real receipts (SigningKeys, EventEncoding, Merkle, SignedCheckpoint) accepted and refused by ReceiptVerifier. */
class ReceiptVerifierTest {

    private static final Instant DECIDED = Instant.parse("2026-12-04T20:50:51.123456Z");
    private static final Duration TTL = Duration.ofSeconds(60);
    private static final List<String> CLASSIFICATIONS = List.of("product_knowledge");

    private final SigningKeys.PrivateKey key = SigningKeys.generate();
    private final MutableClock clock = new MutableClock(DECIDED.plusSeconds(1));

    private ReceiptVerifier verifierTrusting(SigningKeys.PublicKey... keys) {
        return new ReceiptVerifier(ReceiptVerifier.KeySource.of(SigningKeys.KeySet.of(keys)), clock, Duration.ZERO);
    }

    @Test
    void aValidAllowVerifies() throws InvalidReceipt {
        Map<String, Object> event = decision("allow", "local_private");
        Receipt receipt = batch(key, event, decision("block", "external_public"), decision("allow", "local_private"))
                .receipts().get(0);

        ReceiptVerifier.Verified verified = verifierTrusting(key.publicKey())
                .requireAllowed(receipt, "ws-1", "local_private", CLASSIFICATIONS);

        assertThat(verified.allowed()).isTrue();
        assertThat(verified.decisionId()).isEqualTo(UUID.fromString((String) event.get("decision_id")));
        assertThat(verified.providerClass()).isEqualTo("local_private");
        assertThat(verified.dataClassifications()).containsExactly("product_knowledge");
        assertThat(verified.expiresAt()).isEqualTo(DECIDED.plus(TTL));
    }

    @Test
    void anAlteredFieldFails() {
        Receipt receipt = batch(key, decision("allow", "local_private"), decision("allow", "local_private")).receipts().get(1);
        String altered = new String(receipt.event(), StandardCharsets.UTF_8).replace("workspace_id=ws-1", "workspace_id=ws-2");
        Receipt tampered = new Receipt(altered.getBytes(StandardCharsets.UTF_8), receipt.leafIndex(), receipt.inclusionPath(),
                receipt.checkpoint());

        assertThat(altered).isNotEqualTo(new String(receipt.event(), StandardCharsets.UTF_8));
        assertThatThrownBy(() -> verifierTrusting(key.publicKey()).requireAllowed(tampered, "ws-2", "local_private",
                CLASSIFICATIONS))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.NOT_INCLUDED));
    }

    @Test
    void anAlteredCheckpointFails() {
        Receipt receipt = batch(key, decision("allow", "local_private")).receipts().get(0);
        Receipt tampered = new Receipt(receipt.event(), receipt.leafIndex(), receipt.inclusionPath(),
                receipt.checkpoint().replace("receipt-ttl 60", "receipt-ttl 99"));

        assertThatThrownBy(() -> verifierTrusting(key.publicKey()).requireAllowed(tampered, "local_private", CLASSIFICATIONS))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.BAD_SIGNATURE));
    }

    @Test
    void aWrongKeyFails() {
        SigningKeys.PrivateKey other = SigningKeys.generate();
        Receipt receipt = batch(other, decision("allow", "local_private")).receipts().get(0);

        assertThatThrownBy(() -> verifierTrusting(key.publicKey()).requireAllowed(receipt, "local_private", CLASSIFICATIONS))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.UNKNOWN_KEY));
    }

    @Test
    void aSignatureByAnotherKeyUnderTheTrustedKeysIdFails() {
        // A forger names the trusted key's id but signs with its own key.
        SigningKeys.PrivateKey forger = SigningKeys.generate();
        Receipt genuine = batch(key, decision("allow", "local_private")).receipts().get(0);
        Receipt forged = batch(forger, decision("allow", "local_private")).receipts().get(0);
        String forgedNote = forged.checkpoint().replace(forger.publicKey().keyId(), key.publicKey().keyId());
        int signatureAt = forgedNote.lastIndexOf(' ');
        int genuineSignatureAt = genuine.checkpoint().lastIndexOf(' ');
        // Keep the trusted key's hash (the first 4 signature bytes) so that only the signature is wrong.
        byte[] forgedLine = java.util.Base64.getDecoder().decode(forgedNote.substring(signatureAt + 1).strip());
        byte[] genuineLine = java.util.Base64.getDecoder().decode(genuine.checkpoint().substring(genuineSignatureAt + 1).strip());
        System.arraycopy(genuineLine, 0, forgedLine, 0, 4);
        String note = forgedNote.substring(0, signatureAt + 1) + java.util.Base64.getEncoder().encodeToString(forgedLine) + "\n";
        Receipt receipt = new Receipt(forged.event(), forged.leafIndex(), forged.inclusionPath(), note);

        assertThatThrownBy(() -> verifierTrusting(key.publicKey()).requireAllowed(receipt, "local_private", CLASSIFICATIONS))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.BAD_SIGNATURE));
    }

    @Test
    void anExpiredReceiptFails() throws InvalidReceipt {
        Receipt receipt = batch(key, decision("allow", "local_private")).receipts().get(0);
        ReceiptVerifier verifier = verifierTrusting(key.publicKey());
        clock.set(DECIDED.plus(TTL).minusNanos(1000));
        verifier.requireAllowed(receipt, "local_private", CLASSIFICATIONS);

        clock.set(DECIDED.plus(TTL));

        assertThatThrownBy(() -> verifier.requireAllowed(receipt, "local_private", CLASSIFICATIONS))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.EXPIRED));
    }

    @Test
    void aBlockPresentedAsAnAllowFails() throws InvalidReceipt {
        Receipt receipt = batch(key, decision("block", "local_private")).receipts().get(0);
        ReceiptVerifier verifier = verifierTrusting(key.publicKey());

        assertThat(verifier.verify(receipt).allowed()).isFalse();
        assertThatThrownBy(() -> verifier.requireAllowed(receipt, "local_private", CLASSIFICATIONS))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.NOT_ALLOWED));
    }

    @Test
    void aReceiptForAnotherProviderClassFails() {
        Receipt receipt = batch(key, decision("allow", "local_private")).receipts().get(0);

        assertThatThrownBy(() -> verifierTrusting(key.publicKey()).requireAllowed(receipt, "external_public", CLASSIFICATIONS))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.MISMATCH));
    }

    @Test
    void aClassificationTheDecisionDidNotAllowFails() {
        Receipt receipt = batch(key, decision("allow", "local_private")).receipts().get(0);

        assertThatThrownBy(() -> verifierTrusting(key.publicKey()).requireAllowed(receipt, "local_private",
                List.of("product_knowledge", "personal_data")))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.MISMATCH));
    }

    @Test
    void keyRotationKeepsOlderReceiptsVerifiableUntilTheyExpire() throws InvalidReceipt {
        SigningKeys.PrivateKey rotated = SigningKeys.generate();
        Receipt before = batch(key, decision("allow", "local_private")).receipts().get(0);
        clock.set(DECIDED.plusSeconds(30));
        Receipt after = batch(rotated, decision("allow", "local_private", DECIDED.plusSeconds(30))).receipts().get(0);
        ReceiptVerifier verifier = verifierTrusting(key.publicKey(), rotated.publicKey());

        assertThat(verifier.requireAllowed(before, "local_private", CLASSIFICATIONS).checkpoint().keyId())
                .isEqualTo(key.publicKey().keyId());
        assertThat(verifier.requireAllowed(after, "local_private", CLASSIFICATIONS).checkpoint().keyId())
                .isEqualTo(rotated.publicKey().keyId());

        clock.set(DECIDED.plus(TTL));

        assertThatThrownBy(() -> verifier.requireAllowed(before, "local_private", CLASSIFICATIONS))
                .isInstanceOfSatisfying(InvalidReceipt.class, e -> assertThat(e.reason()).isEqualTo(InvalidReceipt.Reason.EXPIRED));
        verifier.requireAllowed(after, "local_private", CLASSIFICATIONS);
    }

    @Test
    void theReceiptsOfOneBatchCostOneKeyLookup() throws InvalidReceipt {
        AtomicInteger lookups = new AtomicInteger();
        SigningKeys.KeySet keys = SigningKeys.KeySet.of(key.publicKey());
        ReceiptVerifier verifier = new ReceiptVerifier(keyId -> {
            lookups.incrementAndGet();
            return keys.find(keyId);
        }, clock, Duration.ZERO);
        ReceiptBatch batch = batch(key, decision("allow", "local_private"), decision("allow", "local_private"),
                decision("allow", "local_private"));

        for (Receipt receipt : batch.receipts()) {
            verifier.requireAllowed(receipt, "local_private", CLASSIFICATIONS);
        }

        assertThat(lookups).hasValue(1);
    }

    @Test
    void aKeySourceThatLearnsAKeyLaterIsAskedAgain() throws InvalidReceipt {
        java.util.concurrent.atomic.AtomicReference<SigningKeys.KeySet> published =
                new java.util.concurrent.atomic.AtomicReference<>(SigningKeys.KeySet.of());
        ReceiptVerifier verifier = new ReceiptVerifier(keyId -> published.get().find(keyId), clock, Duration.ZERO);
        Receipt receipt = batch(key, decision("allow", "local_private")).receipts().get(0);
        assertThatThrownBy(() -> verifier.verify(receipt)).isInstanceOf(InvalidReceipt.class);

        published.set(SigningKeys.KeySet.of(key.publicKey()));

        assertThat(verifier.verify(receipt).allowed()).isTrue();
    }

    // ---- building real receipts ----

    @SafeVarargs
    private ReceiptBatch batch(SigningKeys.PrivateKey signer, Map<String, Object>... events) {
        return ReceiptBatch.sign(signer, UUID.randomUUID(), 0, Checkpoint.NO_PREVIOUS, clock.instant(), TTL,
                java.util.Arrays.stream(events).map(EventEncoding::encode).toList());
    }

    private static Map<String, Object> decision(String outcome, String providerClass) {
        return decision(outcome, providerClass, DECIDED);
    }

    private static Map<String, Object> decision(String outcome, String providerClass, Instant occurredAt) {
        UUID eventId = UUID.randomUUID();
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("event_id", eventId.toString());
        columns.put("occurred_at", EventEncoding.timestamp(occurredAt));
        columns.put("kind", "ai_decision");
        columns.put("workspace_id", "ws-1");
        columns.put("actor_id", "user-7");
        columns.put("actor_kind", "user");
        columns.put("request_id", UUID.randomUUID().toString());
        columns.put("decision_id", UUID.randomUUID().toString());
        columns.put("use_case", "product_knowledge.answer_draft");
        columns.put("provider_class", providerClass);
        columns.put("data_classifications", CLASSIFICATIONS);
        columns.put("source_family", "product_knowledge");
        columns.put("outcome", outcome);
        if (outcome.equals("block")) {
            columns.put("reason", "workspace_policy_disabled");
        }
        columns.put("all_reasons", outcome.equals("block") ? List.of("workspace_policy_disabled") : List.of());
        columns.put("rejected_classifications", List.of());
        columns.put("policy_mode", "private_only");
        columns.put("policy_version", "3");
        columns.put("control_state", "enabled");
        columns.put("control_version", "0");
        return columns;
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
