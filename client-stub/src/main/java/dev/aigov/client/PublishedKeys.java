package dev.aigov.client;

import dev.aigov.api.v1.EvidenceServiceGrpc;
import dev.aigov.api.v1.ListSigningKeysRequest;
import dev.aigov.api.v1.ListSigningKeysResponse;
import dev.aigov.api.v1.SigningKey;
import dev.aigov.evidence.ReceiptVerifier;
import dev.aigov.evidence.SigningKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * aigov's public signing keys as {@code EvidenceService.ListSigningKeys} publishes them: fetched on
 * first use, kept, and fetched again for a key id it does not know, at most once per
 * {@code minInterval} (so that receipts naming forged key ids cannot make the client hammer the
 * server). Thread-safe; one fetch at a time.
 */
final class PublishedKeys implements ReceiptVerifier.KeySource {

    /** The keys could not be fetched: every receipt that needs them fails closed with this failure. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient GovernanceFailure failure;

        Unavailable(GovernanceFailure failure) {
            super(failure.toString(), null, false, false);
            this.failure = failure;
        }

        GovernanceFailure failure() {
            return failure;
        }
    }

    private static final System.Logger LOG = System.getLogger(AiGovernanceClient.class.getName());

    private final EvidenceServiceGrpc.EvidenceServiceBlockingStub stub;
    private final Duration deadline;
    private final long minIntervalNanos;
    private final LongSupplier nanoTime;
    private volatile SigningKeys.KeySet keys;
    private boolean attempted;
    private long lastAttempt;
    private GovernanceFailure lastFailure;

    PublishedKeys(io.grpc.Channel channel, Duration deadline, Duration minInterval, LongSupplier nanoTime) {
        this.stub = EvidenceServiceGrpc.newBlockingStub(channel);
        this.deadline = deadline;
        this.minIntervalNanos = minInterval.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    public Optional<SigningKeys.PublicKey> find(String keyId) {
        SigningKeys.KeySet current = keys;
        if (current != null) {
            Optional<SigningKeys.PublicKey> known = current.find(keyId);
            if (known.isPresent()) {
                return known;
            }
        }
        synchronized (this) {
            current = keys;
            if (current != null) {
                Optional<SigningKeys.PublicKey> known = current.find(keyId);
                if (known.isPresent()) {
                    return known; // fetched by another thread meanwhile
                }
            }
            long now = nanoTime.getAsLong();
            if (attempted && now - lastAttempt < minIntervalNanos) {
                if (lastFailure != null) {
                    throw new Unavailable(lastFailure);
                }
                return Optional.empty();
            }
            attempted = true;
            lastAttempt = now;
            try {
                ListSigningKeysResponse response = stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                        .listSigningKeys(ListSigningKeysRequest.getDefaultInstance());
                keys = read(response);
                lastFailure = null;
            } catch (RuntimeException e) {
                lastFailure = GovernanceFailure.keysUnavailable(ProtoMapping.toFailure(e));
                throw new Unavailable(lastFailure);
            }
            return keys.find(keyId);
        }
    }

    /** The keys fetched so far; empty before the first fetch. For tests. */
    Optional<SigningKeys.KeySet> current() {
        return Optional.ofNullable(keys);
    }

    /** Every well-formed Ed25519 key whose id is its own; any other is left out (and logged). */
    private static SigningKeys.KeySet read(ListSigningKeysResponse response) {
        List<SigningKeys.PublicKey> read = new ArrayList<>();
        for (SigningKey key : response.getKeysList()) {
            if (!"ed25519".equals(key.getAlgorithm())) {
                LOG.log(System.Logger.Level.WARNING, "aigov published signing key {0} with algorithm {1}, which this "
                        + "client does not know: left out", key.getKeyId(), key.getAlgorithm());
                continue;
            }
            try {
                SigningKeys.PublicKey publicKey = SigningKeys.PublicKey.of(key.getPublicKey().toByteArray());
                if (!publicKey.keyId().equals(key.getKeyId())) {
                    throw new IllegalArgumentException("its key id is " + publicKey.keyId());
                }
                read.add(publicKey);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "aigov published signing key {0}, which is not valid ({1}): left out",
                        key.getKeyId(), e.getMessage());
            }
        }
        return SigningKeys.KeySet.of(read);
    }
}
