package dev.aigov.server.evidence;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Where retention cut the trail (docs/evidence.md, "Retention"): the end of the last month dropped
 * (audit_retention_drops). A verifier accepts a chain that begins at seq &gt; 0 only if its first
 * retained checkpoint was signed before {@code retainedFrom + GRACE}, and the events of such a
 * checkpoint older than {@code retainedFrom} may be missing (they were dropped with their month).
 */
public final class RetentionBoundary {
    /** How long after a month's end a checkpoint may still cover that month's events (the batch's latency). */
    public static final Duration GRACE = Duration.ofMinutes(10);

    private final DSLContext dsl;

    public RetentionBoundary(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** The end of the last month dropped; empty when retention never dropped one. */
    public Optional<Instant> retainedFrom() {
        LocalDate month = dsl.resultQuery("SELECT max(month) FROM audit_retention_drops").fetchOne(0, LocalDate.class);
        return Optional.ofNullable(month).map(m -> m.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }
}
