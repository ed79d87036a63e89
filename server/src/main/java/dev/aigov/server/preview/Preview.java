package dev.aigov.server.preview;

import dev.aigov.core.BlockReason;
import dev.aigov.core.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What a candidate would have done to a window's recorded decisions.
 *
 * @param buckets         the flips by use case, caller surface and new primary reason, largest first
 * @param unbucketedFlips flips of combinations past the first {@link FlipTally#MAX_BUCKETS}: in the
 *                        counts, in no bucket
 * @param cutShort        whether the bound stopped the replay before the window's end
 * @param replayedThrough when the last replayed decision was recorded; empty when none was
 */
public record Preview(long replayed, long allowToBlock, long blockToAllow, List<Bucket> buckets, long unbucketedFlips,
        Instant windowStart, Instant windowEnd, boolean cutShort, Optional<Instant> replayedThrough, long maxDecisions) {

    public Preview {
        buckets = List.copyOf(buckets);
    }

    /** One kind of flip; {@code newReason} empty for a flip to ALLOW. */
    public record Bucket(String useCase, String callerSurface, Outcome newOutcome, Optional<BlockReason> newReason, long count,
            List<UUID> sampleDecisionIds) {
        public Bucket {
            sampleDecisionIds = List.copyOf(sampleDecisionIds);
        }
    }
}
