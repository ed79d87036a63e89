package dev.aigov.server.evidence;

import static dev.aigov.db.jooq.Tables.AUDIT_CHECKPOINTS;
import static dev.aigov.db.jooq.Tables.AUDIT_EVENTS;

import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.Merkle;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * The trail in the database, read in bounded memory: each chain's checkpoints in seq order, a page
 * at a time, and their events by place ({@code audit_events_by_chain}), a bounded run of
 * checkpoints at a time. Each event is re-encoded from its columns (docs/evidence.md).
 */
final class DatabaseTrail {
    private static final int CHECKPOINT_PAGE = 1000;
    /** The most events fetched at once (a run of checkpoints whose sizes add up to this, or one larger checkpoint). */
    private static final int EVENT_BUDGET = 10_000;

    private static final List<Field<?>> ENCODED = EventEncoding.COLUMNS.stream().<Field<?>>map(column -> {
        Field<?> field = AUDIT_EVENTS.field(column.name());
        if (field == null) {
            throw new IllegalStateException("audit_events has no column " + column.name() + " of the event encoding");
        }
        return field;
    }).toList();

    private final DSLContext dsl;
    private final VerifyOptions options;

    DatabaseTrail(DSLContext dsl, VerifyOptions options) {
        this.dsl = dsl;
        this.options = options;
    }

    VerifyReport verify(String source, boolean keysFromTrail) {
        Tally tally = new Tally();
        for (UUID chain : chains()) {
            ChainCheck check = new ChainCheck(chain, options);
            OptionalLong first = walk(chain, check);
            if (!check.broken()) {
                uncoveredEvents(chain, first, check);
            }
            check.finish();
            tally.add(check);
        }
        if (options.chains().isEmpty() && options.start().isEmpty() && options.until().isEmpty()) {
            chainsWithoutCheckpoints(tally);
        }
        tally.unchained = unchained();
        return tally.report(source, keysFromTrail);
    }

    private TreeSet<UUID> chains() {
        TreeSet<UUID> chains = new TreeSet<>();
        if (!options.chains().isEmpty()) {
            chains.addAll(options.chains());
            return chains;
        }
        chains.addAll(dsl.selectDistinct(AUDIT_CHECKPOINTS.CHAIN_ID).from(AUDIT_CHECKPOINTS).where(inRange())
                .fetch(AUDIT_CHECKPOINTS.CHAIN_ID));
        chains.addAll(options.trustedHeads().keySet());
        return chains;
    }

    private Condition inRange() {
        Condition range = DSL.trueCondition();
        Optional<Instant> start = options.start();
        if (start.isPresent()) {
            range = range.and(AUDIT_CHECKPOINTS.SIGNED_AT.ge(utc(start.get())));
        }
        if (options.until().isPresent()) {
            range = range.and(AUDIT_CHECKPOINTS.SIGNED_AT.lt(utc(options.until().get())));
        }
        return range;
    }

    /** Checks the chain's checkpoints in range; returns the first seq walked. */
    private OptionalLong walk(UUID chain, ChainCheck check) {
        OptionalLong first = OptionalLong.empty();
        StoredCheckpoint after = null;
        while (!check.broken()) {
            Condition where = AUDIT_CHECKPOINTS.CHAIN_ID.eq(chain).and(inRange());
            if (after != null) {
                where = where.and(DSL.row(AUDIT_CHECKPOINTS.SEQ, AUDIT_CHECKPOINTS.SIGNED_AT).gt(after.seq(), utc(after.signedAt())));
            }
            List<StoredCheckpoint> page = dsl
                    .select(AUDIT_CHECKPOINTS.SEQ, AUDIT_CHECKPOINTS.SIGNED_AT, AUDIT_CHECKPOINTS.SIZE, AUDIT_CHECKPOINTS.KEY_ID,
                            AUDIT_CHECKPOINTS.NOTE)
                    .from(AUDIT_CHECKPOINTS).where(where).orderBy(AUDIT_CHECKPOINTS.SEQ, AUDIT_CHECKPOINTS.SIGNED_AT)
                    .limit(CHECKPOINT_PAGE).fetch(row -> new StoredCheckpoint(chain, row.value1(), row.value2().toInstant(),
                            OptionalInt.of(row.value3()), row.value5()));
            if (page.isEmpty()) {
                break;
            }
            if (first.isEmpty()) {
                first = OptionalLong.of(page.getFirst().seq());
            }
            checkRuns(chain, page, check);
            after = page.getLast();
            if (page.size() < CHECKPOINT_PAGE) {
                break;
            }
        }
        return first;
    }

    /** Fetches the events of runs of checkpoints of at most EVENT_BUDGET events, and checks each checkpoint. */
    private void checkRuns(UUID chain, List<StoredCheckpoint> page, ChainCheck check) {
        int from = 0;
        while (from < page.size() && !check.broken()) {
            int to = from;
            long budget = 0;
            while (to < page.size() && (to == from || budget + page.get(to).size().orElse(1) <= EVENT_BUDGET)) {
                budget += page.get(to).size().orElse(1);
                to++;
            }
            long lowSeq = page.get(from).seq();
            long highSeq = page.get(to - 1).seq();
            long limit = budget * 2 + 1000;
            List<Leaf> leaves = leaves(chain, lowSeq, highSeq, limit, check);
            if (leaves.size() >= limit) {
                check.fail(lowSeq, "checkpoints " + lowSeq + ".." + highSeq + " hold more than " + limit + " events, twice what they"
                        + " sign: events were inserted with forged places");
                return;
            }
            int next = 0;
            for (int i = from; i < to && !check.broken(); i++) {
                StoredCheckpoint checkpoint = page.get(i);
                while (next < leaves.size() && leaves.get(next).seq() < checkpoint.seq()) {
                    next++; // a seq with no checkpoint: the gap is reported by the checkpoint after it
                }
                int start = next;
                while (next < leaves.size() && leaves.get(next).seq() == checkpoint.seq()) {
                    next++;
                }
                check.check(checkpoint, leaves.subList(start, next));
            }
            from = to;
        }
    }

    private List<Leaf> leaves(UUID chain, long lowSeq, long highSeq, long limit, ChainCheck check) {
        List<Field<?>> fields = new ArrayList<>(ENCODED);
        fields.add(AUDIT_EVENTS.CHAIN_SEQ);
        fields.add(AUDIT_EVENTS.LEAF_INDEX);
        List<Leaf> leaves = new ArrayList<>();
        dsl.select(fields).from(AUDIT_EVENTS)
                .where(AUDIT_EVENTS.CHAIN_ID.eq(chain), AUDIT_EVENTS.CHAIN_SEQ.between(lowSeq, highSeq))
                .orderBy(AUDIT_EVENTS.CHAIN_SEQ, AUDIT_EVENTS.LEAF_INDEX, AUDIT_EVENTS.EVENT_ID)
                .limit(limit)
                .forEach(row -> leaves.add(leaf(row, check)));
        return leaves;
    }

    private static Leaf leaf(Record row, ChainCheck check) {
        long seq = row.get(AUDIT_EVENTS.CHAIN_SEQ);
        int leafIndex = row.get(AUDIT_EVENTS.LEAF_INDEX);
        UUID eventId = row.get(AUDIT_EVENTS.EVENT_ID);
        Object[] values = new Object[ENCODED.size()];
        try {
            for (int i = 0; i < values.length; i++) {
                values[i] = canonical(EventEncoding.COLUMNS.get(i).type(), row.get(i));
            }
            return new Leaf(seq, leafIndex, Optional.of(eventId), Merkle.leafHash(EventEncoding.encode(values)));
        } catch (IllegalArgumentException | ClassCastException e) {
            check.fail(seq,
                    "event " + eventId + " (leaf " + leafIndex + " of checkpoint " + seq + ") cannot be encoded: " + e.getMessage());
            return new Leaf(seq, leafIndex, Optional.of(eventId), new byte[Merkle.HASH_SIZE]);
        }
    }

    /** A column's value in its canonical text (docs/evidence.md): a String, or a List of Strings for an array. */
    static Object canonical(EventEncoding.Type type, Object value) {
        if (value == null) {
            return null;
        }
        return switch (type) {
            case UUID -> EventEncoding.uuid((UUID) value);
            case TIMESTAMP -> EventEncoding.timestamp(((OffsetDateTime) value).toInstant());
            case INTEGER, BOOLEAN -> value.toString();
            case TEXT -> (String) value;
            case ARRAY -> Arrays.asList((String[]) value);
        };
    }

    /** Events of the chain placed outside the checkpoints walked: at a seq before the first or after the last. */
    private void uncoveredEvents(UUID chain, OptionalLong first, ChainCheck check) {
        OptionalLong last = check.lastSeq();
        Condition outside;
        if (first.isEmpty() || last.isEmpty()) {
            if (options.start().isPresent() || options.until().isPresent()) {
                return;
            }
            outside = DSL.trueCondition();
        } else {
            outside = DSL.falseCondition();
            if (options.start().isEmpty()) {
                outside = outside.or(AUDIT_EVENTS.CHAIN_SEQ.lt(first.getAsLong()));
            }
            if (options.until().isEmpty()) {
                outside = outside.or(AUDIT_EVENTS.CHAIN_SEQ.gt(last.getAsLong()));
            }
        }
        dsl.select(AUDIT_EVENTS.EVENT_ID, AUDIT_EVENTS.CHAIN_SEQ, AUDIT_EVENTS.LEAF_INDEX).from(AUDIT_EVENTS)
                .where(AUDIT_EVENTS.CHAIN_ID.eq(chain)).and(outside)
                .orderBy(AUDIT_EVENTS.CHAIN_SEQ, AUDIT_EVENTS.LEAF_INDEX).limit(1)
                .fetchOptional()
                .ifPresent(row -> check.fail(row.value2(), "event " + row.value1() + " claims leaf " + row.value3() + " of checkpoint "
                        + row.value2() + ", which is not in the trail: no checkpoint covers it"));
    }

    /** Events placed in chains that have no checkpoint at all (an event inserted with a forged place). */
    private void chainsWithoutCheckpoints(Tally tally) {
        var e = AUDIT_EVENTS.as("e");
        dsl.selectDistinct(e.CHAIN_ID).from(e).where(e.CHAIN_ID.isNotNull())
                .andNotExists(dsl.selectOne().from(AUDIT_CHECKPOINTS).where(AUDIT_CHECKPOINTS.CHAIN_ID.eq(e.CHAIN_ID)))
                .fetch(e.CHAIN_ID).forEach(chain -> {
                    ChainCheck check = new ChainCheck(chain, options);
                    uncoveredEvents(chain, OptionalLong.empty(), check);
                    tally.add(check);
                });
    }

    private long unchained() {
        Condition where = AUDIT_EVENTS.CHAIN_ID.isNull();
        Optional<Instant> start = options.start();
        if (start.isPresent()) {
            where = where.and(AUDIT_EVENTS.OCCURRED_AT.ge(utc(start.get())));
        }
        if (options.until().isPresent()) {
            where = where.and(AUDIT_EVENTS.OCCURRED_AT.lt(utc(options.until().get())));
        }
        return dsl.fetchCount(AUDIT_EVENTS, where);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
