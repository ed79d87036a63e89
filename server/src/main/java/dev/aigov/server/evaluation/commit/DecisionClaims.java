package dev.aigov.server.evaluation.commit;

import static dev.aigov.db.jooq.Tables.DECISION_REQUEST_IDS;

import dev.aigov.db.jooq.Routines;
import dev.aigov.db.jooq.tables.records.DecisionRequestIdsRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The request_ids of decisions ({@code decision_request_ids}, V7): a retry within the replay
 * window ({@code AIGOV_DECISION_REPLAY_WINDOW}) with the same request is answered with the decision
 * the id names; after the window the id is new again. Kept apart from the mutations' idempotency
 * records (a week), because decisions come at the full request rate: expiry is a bounded, chunked
 * delete by age ({@link #purgeChunk}, in chunks the caller bounds), never one statement over the whole backlog.
 */
public final class DecisionClaims {
    /** A request_id to claim, with the fingerprint of its request and the audit event that records it. */
    public record Claim(UUID requestId, byte[] fingerprint, Instant createdAt, UUID eventId, Instant eventAt) {
    }

    /** The decision a request_id named before: its audit event. */
    public record Prior(UUID eventId, Instant eventAt) {
    }

    private DecisionClaims() {
    }

    /**
     * Claims these request_ids in one statement of constant text (it sorts them itself, so two
     * batches never wait for each other in a cycle); returns the ids claimed. The others were claimed
     * before: read them with {@link #priors}.
     */
    public static Set<UUID> claimAll(DSLContext tx, List<Claim> claims) {
        if (claims.isEmpty()) {
            return Set.of();
        }
        int size = claims.size();
        UUID[] requestIds = new UUID[size];
        byte[][] fingerprints = new byte[size][];
        OffsetDateTime[] createdAt = new OffsetDateTime[size];
        UUID[] eventIds = new UUID[size];
        OffsetDateTime[] eventAt = new OffsetDateTime[size];
        for (int i = 0; i < size; i++) {
            Claim claim = claims.get(i);
            requestIds[i] = claim.requestId();
            fingerprints[i] = claim.fingerprint();
            createdAt[i] = utc(claim.createdAt());
            eventIds[i] = claim.eventId();
            eventAt[i] = utc(claim.eventAt());
        }
        return new HashSet<>(Arrays.asList(Routines.claimDecisionRequestIds(tx.configuration(), requestIds, fingerprints, createdAt,
                eventIds, eventAt)));
    }

    /**
     * What each of these request_ids named before; empty for an id claimed by another request (its
     * fingerprint differs); no entry for an id forgotten between the claim and this read.
     */
    public static Map<UUID, Optional<Prior>> priors(DSLContext tx, Map<UUID, byte[]> fingerprints) {
        Map<UUID, Optional<Prior>> priors = new HashMap<>();
        if (fingerprints.isEmpty()) {
            return priors;
        }
        for (DecisionRequestIdsRecord prior : tx.selectFrom(DECISION_REQUEST_IDS)
                .where(DECISION_REQUEST_IDS.REQUEST_ID.in(fingerprints.keySet())).fetch()) {
            boolean same = Arrays.equals(prior.getFingerprint(), fingerprints.get(prior.getRequestId()));
            priors.put(prior.getRequestId(),
                    same ? Optional.of(new Prior(prior.getResultEventId(), prior.getResultEventAt().toInstant())) : Optional.empty());
        }
        return priors;
    }

    /** Points a claimed request_id at another decision's audit event (the state moved since its first). */
    public static void repoint(DSLContext tx, UUID requestId, UUID eventId, Instant eventAt) {
        tx.update(DECISION_REQUEST_IDS)
                .set(DECISION_REQUEST_IDS.RESULT_EVENT_ID, eventId)
                .set(DECISION_REQUEST_IDS.RESULT_EVENT_AT, utc(eventAt))
                .where(DECISION_REQUEST_IDS.REQUEST_ID.eq(requestId))
                .execute();
    }

    /** Deletes at most {@code chunk} records created before {@code cutoff}; returns how many. */
    public static int purgeChunk(DSLContext dsl, Instant cutoff, int chunk) {
        return dsl.deleteFrom(DECISION_REQUEST_IDS)
                .where(DECISION_REQUEST_IDS.REQUEST_ID.in(DSL.select(DECISION_REQUEST_IDS.REQUEST_ID)
                        .from(DECISION_REQUEST_IDS)
                        .where(DECISION_REQUEST_IDS.CREATED_AT.lt(utc(cutoff)))
                        .limit(chunk)))
                .execute();
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
