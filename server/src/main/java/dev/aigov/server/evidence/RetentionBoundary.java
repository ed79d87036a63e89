package dev.aigov.server.evidence;

import java.time.Instant;
import java.util.Optional;

/**
 * What retention has legitimately removed, as the verifier needs to know it: without a boundary a
 * chain must start at seq 0, and one that starts later is a break ("checkpoints 0..N-1 missing").
 *
 * <p>With a boundary T, checkpoints signed before T (and their events) may have been dropped: the
 * verifier then skips every checkpoint signed before T, as {@code --since T} does, and accepts each
 * chain's first checkpoint at or after T as its start without its predecessor (its signature, root
 * and everything after it are still checked). Retention records its drops; this reads them.
 */
@FunctionalInterface
public interface RetentionBoundary {
    /** Nothing was ever dropped: every chain starts at seq 0. */
    RetentionBoundary NONE = Optional::empty;

    /** The instant before which retention may have dropped checkpoints and events; empty when it dropped nothing. */
    Optional<Instant> retainedFrom();

    /** A fixed boundary (tests, or {@code --retained-from T}). */
    static RetentionBoundary at(Instant retainedFrom) {
        return () -> Optional.of(retainedFrom);
    }
}
