package dev.aigov.server.evidence;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * What retention has legitimately removed, as the verifier needs to know it (docs/evidence.md,
 * "Retention"): without a boundary a chain must start at seq 0, and one that starts later is a break
 * ("checkpoints 0..N-1 missing").
 *
 * <p>With a boundary T, checkpoints signed before T (and their events) may have been dropped: the
 * verifier then skips every checkpoint signed before T, as {@code --since T} does, and accepts each
 * chain's first checkpoint at or after T as its start without its predecessor (its signature, root
 * and everything after it are still checked). Retention records its drops; {@link #fromDrops} reads them.
 */
@FunctionalInterface
public interface RetentionBoundary {
    /** Nothing was ever dropped: every chain starts at seq 0. */
    RetentionBoundary NONE = Optional::empty;
    /** How long after a month's end a checkpoint may still cover that month's events (the batch's latency). */
    Duration GRACE = Duration.ofMinutes(10);

    /** The instant before which retention may have dropped checkpoints and events; empty when it dropped nothing. */
    Optional<Instant> retainedFrom();

    /** A fixed boundary (tests, or {@code --retained-from T}). */
    static RetentionBoundary at(Instant retainedFrom) {
        return () -> Optional.of(retainedFrom);
    }

    /**
     * The boundary retention's drops set ({@code audit_retention_drops}): the end of the last month
     * dropped plus {@link #GRACE}, since a checkpoint signed in the first minutes of a month may cover
     * the events of the month before, dropped with it.
     */
    static RetentionBoundary fromDrops(DSLContext dsl) {
        return () -> lastDroppedMonthEnd(dsl).map(end -> end.plus(GRACE));
    }

    /** The end of the last month retention dropped; empty when it dropped none. */
    static Optional<Instant> lastDroppedMonthEnd(DSLContext dsl) {
        LocalDate month = dsl.resultQuery("SELECT max(month) FROM audit_retention_drops").fetchOne(0, LocalDate.class);
        return Optional.ofNullable(month).map(m -> m.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }
}
