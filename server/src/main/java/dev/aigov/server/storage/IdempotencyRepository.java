package dev.aigov.server.storage;

import static dev.aigov.db.jooq.Tables.IDEMPOTENCY_RECORDS;

import dev.aigov.db.jooq.tables.records.IdempotencyRecordsRecord;
import dev.aigov.server.error.RequestIdReused;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Idempotency records (AIP-155), used inside the mutation's own transaction: the first call with a
 * request_id claims it; a later call with the same id and fingerprint gets the first result back.
 */
public final class IdempotencyRepository {

    /** The result a request_id already produced. */
    public record PriorResult(Optional<UUID> eventId, Optional<Instant> eventAt, long version, boolean changed) {
    }

    private IdempotencyRepository() {
    }

    /**
     * Claims {@code requestId} for this operation in the transaction {@code tx}. Returns empty when
     * the claim succeeded (go on and record the result), or the prior result of the same request.
     * A concurrent claim of the same id waits for the first transaction to end.
     *
     * @throws RequestIdReused when the id was used for another operation, caller or request
     */
    public static Optional<PriorResult> claim(DSLContext tx, UUID requestId, String operation, byte[] fingerprint, Instant now) {
        int inserted = tx.insertInto(IDEMPOTENCY_RECORDS)
                .set(IDEMPOTENCY_RECORDS.REQUEST_ID, requestId)
                .set(IDEMPOTENCY_RECORDS.OPERATION, operation)
                .set(IDEMPOTENCY_RECORDS.FINGERPRINT, fingerprint)
                .set(IDEMPOTENCY_RECORDS.CREATED_AT, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .onConflictDoNothing()
                .execute();
        if (inserted == 1) {
            return Optional.empty();
        }
        IdempotencyRecordsRecord prior = tx.selectFrom(IDEMPOTENCY_RECORDS)
                .where(IDEMPOTENCY_RECORDS.REQUEST_ID.eq(requestId))
                .fetchSingle();
        return Optional.of(priorResult(prior, operation, fingerprint));
    }

    /**
     * The prior result of each of these request_ids, read after a claim did not
     * succeed; empty for an id that was used for another operation, caller or request.
     */
    public static Map<UUID, Optional<PriorResult>> priorResults(DSLContext tx, String operation, Map<UUID, byte[]> fingerprints) {
        Map<UUID, Optional<PriorResult>> results = new HashMap<>();
        if (fingerprints.isEmpty()) {
            return results;
        }
        for (IdempotencyRecordsRecord prior : tx.selectFrom(IDEMPOTENCY_RECORDS)
                .where(IDEMPOTENCY_RECORDS.REQUEST_ID.in(fingerprints.keySet())).fetch()) {
            try {
                results.put(prior.getRequestId(), Optional.of(priorResult(prior, operation, fingerprints.get(prior.getRequestId()))));
            } catch (RequestIdReused reused) {
                results.put(prior.getRequestId(), Optional.empty());
            }
        }
        return results;
    }

    private static PriorResult priorResult(IdempotencyRecordsRecord prior, String operation, byte[] fingerprint) {
        if (!prior.getOperation().equals(operation) || !Arrays.equals(prior.getFingerprint(), fingerprint)
                || (prior.getResultEventId() == null && prior.getResultVersion() == null)) {
            throw new RequestIdReused(prior.getRequestId(), operation);
        }
        return new PriorResult(
                Optional.ofNullable(prior.getResultEventId()),
                Optional.ofNullable(prior.getResultEventAt()).map(OffsetDateTime::toInstant),
                prior.getResultVersion() == null ? 0 : prior.getResultVersion(),
                Boolean.TRUE.equals(prior.getResultChanged()));
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /**
     * Deletes at most {@code chunk} records created before {@code cutoff}; returns how many. A
     * request_id older than that is new again.
     */
    public static int purgeChunkCreatedBefore(DSLContext dsl, Instant cutoff, int chunk) {
        return dsl.deleteFrom(IDEMPOTENCY_RECORDS)
                .where(IDEMPOTENCY_RECORDS.REQUEST_ID.in(org.jooq.impl.DSL.select(IDEMPOTENCY_RECORDS.REQUEST_ID)
                        .from(IDEMPOTENCY_RECORDS)
                        .where(IDEMPOTENCY_RECORDS.CREATED_AT.lt(OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC)))
                        .limit(chunk)))
                .execute();
    }

    /** Stores the result of a claimed request_id: the audit event that records it. */
    public static void completeWithEvent(DSLContext tx, UUID requestId, UUID eventId, Instant eventAt) {
        tx.update(IDEMPOTENCY_RECORDS)
                .set(IDEMPOTENCY_RECORDS.RESULT_EVENT_ID, eventId)
                .set(IDEMPOTENCY_RECORDS.RESULT_EVENT_AT, OffsetDateTime.ofInstant(eventAt, ZoneOffset.UTC))
                .where(IDEMPOTENCY_RECORDS.REQUEST_ID.eq(requestId))
                .execute();
    }

    /** Stores the result of a claimed request_id: the version in force after the call, and whether it changed. */
    public static void completeWithVersion(DSLContext tx, UUID requestId, long version, boolean changed) {
        tx.update(IDEMPOTENCY_RECORDS)
                .set(IDEMPOTENCY_RECORDS.RESULT_VERSION, version)
                .set(IDEMPOTENCY_RECORDS.RESULT_CHANGED, changed)
                .where(IDEMPOTENCY_RECORDS.REQUEST_ID.eq(requestId))
                .execute();
    }
}
