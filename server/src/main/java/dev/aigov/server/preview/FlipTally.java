package dev.aigov.server.preview;

import dev.aigov.core.BlockReason;
import dev.aigov.core.Decision;
import dev.aigov.core.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Counts a replay as it goes: every decision replayed, each flip against its recorded outcome, and
 * per bucket (use case, caller surface, new primary reason) its count and its first samples. Its
 * memory is bounded by {@link #MAX_BUCKETS} buckets of at most {@link #SAMPLES} ids each.
 */
final class FlipTally {
    static final int SAMPLES = 20;
    /** Use cases and caller surfaces are the callers' words: their combinations are bounded here. */
    static final int MAX_BUCKETS = 1_000;

    private record Key(String useCase, String callerSurface, Outcome newOutcome, Optional<BlockReason> newReason) {
    }

    private static final class Counts {
        long count;
        final List<UUID> samples = new ArrayList<>(SAMPLES);
    }

    private final Map<Key, Counts> buckets = new HashMap<>();
    private long replayed;
    private long allowToBlock;
    private long blockToAllow;
    private long unbucketed;
    private Optional<Instant> last = Optional.empty();

    long replayed() {
        return replayed;
    }

    void add(TrailDecision recorded, Decision replay) {
        replayed++;
        last = Optional.of(recorded.occurredAt());
        Outcome now = replay.outcome();
        if (now == recorded.outcome()) {
            return;
        }
        if (now == Outcome.BLOCK) {
            allowToBlock++;
        } else {
            blockToAllow++;
        }
        Key key = new Key(recorded.request().useCase(), recorded.request().callerSurface(), now, replay.reason());
        Counts counts = buckets.get(key);
        if (counts == null) {
            if (buckets.size() == MAX_BUCKETS) {
                unbucketed++;
                return;
            }
            counts = new Counts();
            buckets.put(key, counts);
        }
        counts.count++;
        if (counts.samples.size() < SAMPLES) {
            counts.samples.add(recorded.decisionId());
        }
    }

    Preview result(Instant windowStart, Instant windowEnd, boolean cutShort, long maxDecisions) {
        List<Preview.Bucket> ordered = buckets.entrySet().stream()
                .map(entry -> new Preview.Bucket(entry.getKey().useCase(), entry.getKey().callerSurface(),
                        entry.getKey().newOutcome(), entry.getKey().newReason(), entry.getValue().count, entry.getValue().samples))
                .sorted(Comparator.comparingLong(Preview.Bucket::count).reversed()
                        .thenComparing(Preview.Bucket::useCase)
                        .thenComparing(Preview.Bucket::callerSurface)
                        .thenComparing(bucket -> bucket.newReason().map(Enum::ordinal).orElse(-1)))
                .toList();
        return new Preview(replayed, allowToBlock, blockToAllow, ordered, unbucketed, windowStart, windowEnd, cutShort, last,
                maxDecisions);
    }
}
