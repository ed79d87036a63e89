package dev.aigov.server.grpc;

import com.google.protobuf.Timestamp;
import dev.aigov.api.v1.ChangePreview;
import dev.aigov.api.v1.PreviewBucket;
import dev.aigov.server.preview.Preview;
import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A preview's window in, its counts out, and how long it may take: the call's deadline, less a margin to answer. */
final class PreviewMapping {
    /** The budget of a call without a deadline (grpcurl sets none). */
    static final Duration NO_DEADLINE_BUDGET = Duration.ofMinutes(2);
    /** What is kept back of the call's time to count, record and answer: a tenth of it, at least this. */
    private static final Duration MIN_MARGIN = Duration.ofMillis(200);

    private PreviewMapping() {
    }

    static Optional<Instant> since(boolean present, Timestamp since) {
        return present ? Optional.of(ProtoMapping.instant(since, "since")) : Optional.empty();
    }

    static Duration budget() {
        Deadline deadline = Context.current().getDeadline();
        if (deadline == null) {
            return NO_DEADLINE_BUDGET;
        }
        Duration remaining = Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
        Duration margin = remaining.dividedBy(10).compareTo(MIN_MARGIN) > 0 ? remaining.dividedBy(10) : MIN_MARGIN;
        Duration budget = remaining.minus(margin);
        return budget.isNegative() ? Duration.ZERO : budget;
    }

    static ChangePreview toProto(Preview preview) {
        ChangePreview.Builder proto = ChangePreview.newBuilder()
                .setDecisionsReplayed(preview.replayed())
                .setAllowToBlock(preview.allowToBlock())
                .setBlockToAllow(preview.blockToAllow())
                .setWindowStart(ProtoMapping.timestamp(preview.windowStart()))
                .setWindowEnd(ProtoMapping.timestamp(preview.windowEnd()))
                .setCutShort(preview.cutShort())
                .setMaxDecisions(preview.maxDecisions())
                .setUnbucketedFlips(preview.unbucketedFlips());
        preview.replayedThrough().map(ProtoMapping::timestamp).ifPresent(proto::setReplayedThrough);
        for (Preview.Bucket bucket : preview.buckets()) {
            PreviewBucket.Builder details = PreviewBucket.newBuilder()
                    .setUseCase(bucket.useCase())
                    .setCallerSurface(bucket.callerSurface())
                    .setNewOutcome(ProtoMapping.outcome(bucket.newOutcome()))
                    .setCount(bucket.count());
            bucket.newReason().map(ProtoMapping::blockReason).ifPresent(details::setNewReason);
            bucket.sampleDecisionIds().stream().map(UUID::toString).forEach(details::addSampleDecisionIds);
            proto.addBuckets(details);
        }
        return proto.build();
    }
}
