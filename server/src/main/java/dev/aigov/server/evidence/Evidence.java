package dev.aigov.server.evidence;

import static dev.aigov.db.jooq.Tables.AUDIT_CHECKPOINTS;
import static dev.aigov.db.jooq.Tables.AUDIT_EVENTS;

import dev.aigov.evidence.Checkpoint;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.Merkle;
import dev.aigov.evidence.Receipt;
import dev.aigov.evidence.ReceiptBatch;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditLog;
import dev.aigov.server.audit.AuditRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jooq.DSLContext;
import org.jooq.Record3;
import org.jooq.impl.DSL;

/**
 * Makes the audit trail evidence (docs/evidence.md): every transaction that records audit events
 * records, with them, one signed checkpoint of a chain of this replica. The decision writers each
 * own a {@link Chain} (one transaction at a time, its head in memory); every other event is
 * appended to this process's side chain by {@link #append}, one event a checkpoint, under an
 * advisory lock, its head read in the same transaction.
 */
public final class Evidence implements AuditLog {
    private final ReplicaKey key;
    private final Duration receiptTtl;
    private final Clock clock;
    private final UUID sideChain = UUID.randomUUID();
    private final ConcurrentMap<UUID, SignedCheckpoint> latest = new ConcurrentHashMap<>();

    /**
     * @param clock the clock checkpoints are signed by; it must tick in whole microseconds
     */
    public Evidence(ReplicaKey key, Duration receiptTtl, Clock clock) {
        if (receiptTtl.isNegative() || receiptTtl.isZero() || receiptTtl.getNano() != 0) {
            throw new IllegalArgumentException("AIGOV_RECEIPT_TTL must be whole seconds above 0 (got " + receiptTtl + ")");
        }
        this.key = key;
        this.receiptTtl = receiptTtl;
        this.clock = clock;
    }

    public ReplicaKey key() {
        return key;
    }

    public Duration receiptTtl() {
        return receiptTtl;
    }

    /** The latest checkpoint of each chain this replica wrote, by chain id. */
    public List<SignedCheckpoint> latest() {
        return latest.values().stream().sorted(Comparator.comparing(signed -> signed.checkpoint().chain())).toList();
    }

    /** A new chain, for one writer: it seals one batch at a time. */
    public Chain newChain() {
        return new Chain(UUID.randomUUID());
    }

    /** A batch as sealed: its checkpoint and each event's receipt. */
    public record Sealed(ReceiptBatch batch) {
        public SignedCheckpoint checkpoint() {
            return batch.checkpoint();
        }

        /** The receipt of the event at {@code index}, which occurred at {@code occurredAt}. */
        public IssuedReceipt receipt(int index, Instant occurredAt) {
            return new IssuedReceipt(batch.receipts().get(index), occurredAt.plus(checkpoint().checkpoint().receiptTtl()));
        }
    }

    /** One writer's chain: {@link #seal} a batch in its transaction; then {@link #committed} or {@link #failed}. */
    public final class Chain {
        private final UUID id;
        private long nextSeq;
        private byte[] prev = Checkpoint.NO_PREVIOUS;
        private boolean uncertain;

        private Chain(UUID id) {
            this.id = id;
        }

        public UUID id() {
            return id;
        }

        /** Writes {@code events} and their checkpoint in the transaction {@code tx}. */
        public Sealed seal(DSLContext tx, List<? extends AuditEvent> events) {
            if (uncertain) {
                // A failed commit may have committed: the database says where the chain stands.
                Optional<Checkpoint> head = head(tx, id);
                nextSeq = head.map(checkpoint -> checkpoint.seq() + 1).orElse(0L);
                prev = head.map(Checkpoint::hash).orElse(Checkpoint.NO_PREVIOUS);
                uncertain = false;
            }
            return write(tx, id, nextSeq, prev, events);
        }

        /** The batch {@code sealed} committed: the chain goes on from it. */
        public void committed(Sealed sealed) {
            nextSeq = sealed.checkpoint().checkpoint().seq() + 1;
            prev = sealed.checkpoint().checkpoint().hash();
            latest.put(id, sealed.checkpoint());
        }

        /** The batch's transaction failed: whether it committed is not known until the database is asked. */
        public void failed() {
            uncertain = true;
        }
    }

    /** Appends one event, with a checkpoint of its own, to this process's side chain in {@code tx}. */
    @Override
    public void append(DSLContext tx, AuditEvent event) {
        // pg_advisory_xact_lock returns void, read as text.
        tx.select(DSL.function("pg_advisory_xact_lock", String.class, DSL.val(sideChain.getMostSignificantBits()))).fetch();
        Optional<Checkpoint> head = head(tx, sideChain);
        Sealed sealed = write(tx, sideChain, head.map(checkpoint -> checkpoint.seq() + 1).orElse(0L),
                head.map(Checkpoint::hash).orElse(Checkpoint.NO_PREVIOUS), List.of(event));
        // Published as soon as written: a rollback leaves a published head the database lacks, which
        // the next append's head (read from the database) replaces.
        latest.put(sideChain, sealed.checkpoint());
    }

    private Sealed write(DSLContext tx, UUID chain, long seq, byte[] prev, List<? extends AuditEvent> events) {
        List<Object[]> rows = new ArrayList<>(events.size());
        List<byte[]> encodings = new ArrayList<>(events.size());
        for (AuditEvent event : events) {
            Object[] row = AuditColumns.of(event);
            rows.add(row);
            encodings.add(EventEncoding.encode(row));
        }
        ReceiptBatch batch = ReceiptBatch.sign(key.current(), chain, seq, prev, clock.instant(), receiptTtl, encodings);
        AuditRows.write(tx, rows, batch.checkpoint());
        return new Sealed(batch);
    }

    private static Optional<Checkpoint> head(DSLContext tx, UUID chain) {
        return tx.select(AUDIT_CHECKPOINTS.NOTE).from(AUDIT_CHECKPOINTS)
                .where(AUDIT_CHECKPOINTS.CHAIN_ID.eq(chain))
                .orderBy(AUDIT_CHECKPOINTS.SEQ.desc())
                .limit(1)
                .fetchOptional(AUDIT_CHECKPOINTS.NOTE)
                .map(note -> SignedCheckpoint.parse(note).checkpoint());
    }

    /**
     * The receipt of a decision recorded before (a replayed request_id): its batch's events read
     * back, their tree rebuilt. Empty when the event predates evidence or its checkpoint is gone.
     */
    public static Optional<IssuedReceipt> receiptOf(DSLContext tx, UUID eventId, Instant occurredAt) {
        Optional<Record3<UUID, Long, Integer>> place = tx.select(AUDIT_EVENTS.CHAIN_ID, AUDIT_EVENTS.CHAIN_SEQ, AUDIT_EVENTS.LEAF_INDEX)
                .from(AUDIT_EVENTS)
                .where(AUDIT_EVENTS.OCCURRED_AT.eq(OffsetDateTime.ofInstant(occurredAt, ZoneOffset.UTC)))
                .and(AUDIT_EVENTS.EVENT_ID.eq(eventId))
                .fetchOptional();
        if (place.isEmpty() || place.get().value1() == null) {
            return Optional.empty();
        }
        UUID chain = place.get().value1();
        long seq = place.get().value2();
        int index = place.get().value3();
        Optional<String> note = tx.select(AUDIT_CHECKPOINTS.NOTE).from(AUDIT_CHECKPOINTS)
                .where(AUDIT_CHECKPOINTS.CHAIN_ID.eq(chain)).and(AUDIT_CHECKPOINTS.SEQ.eq(seq))
                .fetchOptional(AUDIT_CHECKPOINTS.NOTE);
        if (note.isEmpty()) {
            return Optional.empty();
        }
        List<byte[]> encodings = tx.selectFrom(AUDIT_EVENTS)
                .where(AUDIT_EVENTS.CHAIN_ID.eq(chain)).and(AUDIT_EVENTS.CHAIN_SEQ.eq(seq))
                .orderBy(AUDIT_EVENTS.LEAF_INDEX)
                .fetch(row -> EventEncoding.encode(AuditColumns.of(AuditRepository.fromRow(row))));
        if (index >= encodings.size()) {
            return Optional.empty();
        }
        Merkle.Tree tree = Merkle.tree(encodings.stream().map(Merkle::leafHash).toList());
        return Optional.of(new IssuedReceipt(new Receipt(encodings.get(index), index, tree.paths().get(index), note.get()),
                occurredAt.plus(SignedCheckpoint.parse(note.get()).checkpoint().receiptTtl())));
    }
}
