package dev.aigov.evidence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Checks decision receipts offline (docs/evidence.md): the checkpoint's signature by a trusted key,
 * the event's inclusion in the checkpoint's tree, and, for {@link #requireAllowed}, that the
 * decision is an unexpired ALLOW for the very call about to be made. A model gateway calls it
 * before it calls a model, and calls no model unless it passes. Thread-safe; a checkpoint verified
 * once is not verified again (the receipts of one batch cost one signature check).
 */
public final class ReceiptVerifier {
    private static final int VERIFIED_CHECKPOINTS = 4096;

    /** Where trusted keys come from; asked again for a key id it did not know. */
    @FunctionalInterface
    public interface KeySource {
        Optional<SigningKeys.PublicKey> find(String keyId);

        /** A fixed set of keys. */
        static KeySource of(SigningKeys.KeySet keys) {
            return keys::find;
        }
    }

    /** What a verified receipt says of its decision, in the trail's words (docs/evidence.md). */
    public record Verified(UUID decisionId, String outcome, String workspaceId, String tenantId, String useCase,
            String providerClass, List<String> dataClassifications, long policyVersion, long controlVersion,
            Instant issuedAt, Instant expiresAt, Checkpoint checkpoint, Map<String, Object> columns) {
        public boolean allowed() {
            return "allow".equals(outcome);
        }
    }

    private final KeySource keys;
    private final Clock clock;
    private final Duration skew;
    private final Map<String, Boolean> verifiedNotes = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > VERIFIED_CHECKPOINTS;
        }
    });

    /**
     * @param keys  the keys to trust
     * @param clock the clock expiry is judged by
     * @param skew  how far this clock may be behind the server's: a receipt is accepted until its
     *              expiry plus this (zero: exactly until its expiry)
     */
    public ReceiptVerifier(KeySource keys, Clock clock, Duration skew) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.skew = Objects.requireNonNull(skew, "skew");
        if (skew.isNegative()) {
            throw new IllegalArgumentException("skew must not be negative");
        }
    }

    /** With these keys, the system clock, and no skew. */
    public ReceiptVerifier(SigningKeys.KeySet keys) {
        this(KeySource.of(keys), Clock.systemUTC(), Duration.ZERO);
    }

    /** Checks that the receipt is signed and includes its event; says nothing of outcome or expiry. */
    public Verified verify(Receipt receipt) throws InvalidReceipt {
        SignedCheckpoint signed;
        Map<String, Object> columns;
        try {
            signed = SignedCheckpoint.parse(receipt.checkpoint());
            columns = EventEncoding.decode(receipt.event());
        } catch (IllegalArgumentException e) {
            throw new InvalidReceipt(InvalidReceipt.Reason.MALFORMED, "the receipt does not parse: " + e.getMessage());
        }
        Checkpoint checkpoint = signed.checkpoint();
        if (!verifiedNotes.containsKey(receipt.checkpoint())) {
            SigningKeys.PublicKey key = keys.find(checkpoint.keyId()).orElseThrow(() -> new InvalidReceipt(
                    InvalidReceipt.Reason.UNKNOWN_KEY, "the receipt is signed by " + checkpoint.keyId() + ", a key not trusted here"));
            if (!signed.verify(key)) {
                throw new InvalidReceipt(InvalidReceipt.Reason.BAD_SIGNATURE,
                        "the receipt's checkpoint is not signed by " + checkpoint.keyId());
            }
            verifiedNotes.put(receipt.checkpoint(), Boolean.TRUE);
        }
        if (!Merkle.verifyInclusion(Merkle.leafHash(receipt.event()), receipt.leafIndex(), checkpoint.size(),
                receipt.inclusionPath(), checkpoint.root())) {
            throw new InvalidReceipt(InvalidReceipt.Reason.NOT_INCLUDED,
                    "the receipt's event is not the one its checkpoint recorded at leaf " + receipt.leafIndex());
        }
        if (!"ai_decision".equals(columns.get("kind"))) {
            throw new InvalidReceipt(InvalidReceipt.Reason.NOT_A_DECISION, "the receipt's event is not a decision");
        }
        try {
            Instant issuedAt = EventEncoding.parseTimestamp(text(columns, "occurred_at"));
            return new Verified(UUID.fromString(text(columns, "decision_id")), text(columns, "outcome"),
                    text(columns, "workspace_id"), Objects.toString(columns.get("tenant_id"), ""), text(columns, "use_case"),
                    text(columns, "provider_class"), array(columns, "data_classifications"),
                    Long.parseLong(text(columns, "policy_version")), Long.parseLong(text(columns, "control_version")), issuedAt,
                    issuedAt.plus(checkpoint.receiptTtl()), checkpoint, columns);
        } catch (IllegalArgumentException e) {
            throw new InvalidReceipt(InvalidReceipt.Reason.MALFORMED, "the receipt's decision is incomplete: " + e.getMessage());
        }
    }

    /**
     * Checks that the receipt proves an unexpired ALLOW for a call to a provider of class
     * {@code providerClass} sending data of {@code dataClassifications} (each must be one the
     * decision allowed), in the trail's words ({@code "external_public"}, {@code "personal"}).
     */
    public Verified requireAllowed(Receipt receipt, String providerClass, Collection<String> dataClassifications)
            throws InvalidReceipt {
        Verified verified = verify(receipt);
        if (!verified.allowed()) {
            throw new InvalidReceipt(InvalidReceipt.Reason.NOT_ALLOWED, "the receipt records a " + verified.outcome()
                    + " of decision " + verified.decisionId() + ", not an allow");
        }
        Instant now = clock.instant();
        if (!now.isBefore(verified.expiresAt().plus(skew))) {
            throw new InvalidReceipt(InvalidReceipt.Reason.EXPIRED, "the receipt of decision " + verified.decisionId()
                    + " expired at " + verified.expiresAt());
        }
        if (!verified.providerClass().equals(providerClass)) {
            throw new InvalidReceipt(InvalidReceipt.Reason.MISMATCH, "decision " + verified.decisionId() + " allowed provider class "
                    + verified.providerClass() + ", not " + providerClass);
        }
        for (String classification : dataClassifications) {
            if (!verified.dataClassifications().contains(classification)) {
                throw new InvalidReceipt(InvalidReceipt.Reason.MISMATCH, "decision " + verified.decisionId()
                        + " did not allow data classified " + classification + " (it allowed " + verified.dataClassifications() + ")");
            }
        }
        return verified;
    }

    /** {@link #requireAllowed}, and the decision's workspace must be {@code workspaceId}. */
    public Verified requireAllowed(Receipt receipt, String workspaceId, String providerClass,
            Collection<String> dataClassifications) throws InvalidReceipt {
        Verified verified = requireAllowed(receipt, providerClass, dataClassifications);
        if (!verified.workspaceId().equals(workspaceId)) {
            throw new InvalidReceipt(InvalidReceipt.Reason.MISMATCH, "decision " + verified.decisionId() + " is for workspace "
                    + verified.workspaceId() + ", not " + workspaceId);
        }
        return verified;
    }

    private static String text(Map<String, Object> columns, String name) {
        Object value = columns.get(name);
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException("it has no " + name);
        }
        return text;
    }

    @SuppressWarnings("unchecked")
    private static List<String> array(Map<String, Object> columns, String name) {
        Object value = columns.get(name);
        return value instanceof List<?> list ? (List<String>) list : List.of();
    }
}
