package dev.aigov.server.evidence;

import dev.aigov.evidence.SigningKeys;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a verification trusts and covers.
 *
 * @param keys         the keys whose signatures are accepted
 * @param since        checkpoints signed at or after this only; each chain's first one is then accepted as its start
 * @param until        checkpoints signed before this only
 * @param retention    what retention dropped
 * @param trustedHeads per chain, the latest checkpoint known from outside the trail ({@code --checkpoint})
 * @param chains       only these chains; empty: every chain
 */
public record VerifyOptions(SigningKeys.KeySet keys, Optional<Instant> since, Optional<Instant> until, RetentionBoundary retention,
        Map<UUID, TrustedHeads.Head> trustedHeads, Set<UUID> chains) {
    public VerifyOptions {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(retention, "retention");
        trustedHeads = Map.copyOf(trustedHeads);
        chains = Set.copyOf(chains);
    }

    /** Every chain, all time, no trusted head, nothing retained away. */
    public static VerifyOptions of(SigningKeys.KeySet keys) {
        return new VerifyOptions(keys, Optional.empty(), Optional.empty(), RetentionBoundary.NONE, Map.of(), Set.of());
    }

    public VerifyOptions withChains(Set<UUID> only) {
        return new VerifyOptions(keys, since, until, retention, trustedHeads, only);
    }

    public VerifyOptions withTrustedHeads(Map<UUID, TrustedHeads.Head> heads) {
        return new VerifyOptions(keys, since, until, retention, heads, chains);
    }

    public VerifyOptions withRange(Optional<Instant> from, Optional<Instant> to) {
        return new VerifyOptions(keys, from, to, retention, trustedHeads, chains);
    }

    public VerifyOptions withRetention(RetentionBoundary boundary) {
        return new VerifyOptions(keys, since, until, boundary, trustedHeads, chains);
    }

    /** Where the walk starts: the later of --since and the retention boundary; empty: each chain from seq 0. */
    Optional<Instant> start() {
        Optional<Instant> retained = retention.retainedFrom();
        if (since.isEmpty()) {
            return retained;
        }
        if (retained.isEmpty()) {
            return since;
        }
        return Optional.of(since.get().isAfter(retained.get()) ? since.get() : retained.get());
    }

    boolean inRange(Instant signedAt) {
        return start().map(s -> !signedAt.isBefore(s)).orElse(true) && until.map(signedAt::isBefore).orElse(true);
    }

    boolean covers(UUID chain) {
        return chains.isEmpty() || chains.contains(chain);
    }
}
