package dev.aigov.server.telemetry;

import dev.aigov.core.Snapshot;
import dev.aigov.server.evaluation.DecisionRecorder;
import dev.aigov.server.evaluation.RecordedDecision;
import dev.aigov.server.evaluation.SnapshotSource;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.util.concurrent.CompletableFuture;

/**
 * The child spans of an evaluation, behind the hot path's seams: reading the decision state, and
 * waiting for the audit commit. Each is a child of the RPC's span (current on the call's thread),
 * and made only when that span is sampled.
 */
public final class TracedDecisions {
    private TracedDecisions() {
    }

    /** Each state read, as a span {@code aigov.state.read}. */
    public static SnapshotSource snapshots(SnapshotSource source, Tracer tracer) {
        return workspaceId -> {
            if (!Span.current().isRecording()) {
                return source.snapshotFor(workspaceId); // an unsampled call: no child is kept either
            }
            Span span = tracer.spanBuilder("aigov.state.read").startSpan();
            try {
                Snapshot snapshot = source.snapshotFor(workspaceId);
                span.setAttribute("aigov.state.version", snapshot.stateVersion());
                return snapshot;
            } catch (RuntimeException failure) {
                span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
                throw failure;
            } finally {
                span.end();
            }
        };
    }

    /** Each decision's wait for its durable record, as a span {@code aigov.audit.commit}. */
    public static DecisionRecorder recorder(DecisionRecorder recorder, Tracer tracer) {
        return pending -> {
            if (!Span.current().isRecording()) {
                return recorder.record(pending);
            }
            Span span = tracer.spanBuilder("aigov.audit.commit").startSpan();
            span.setAttribute("aigov.decision.id", pending.decisionId().toString());
            CompletableFuture<RecordedDecision> recorded;
            try {
                recorded = recorder.record(pending);
            } catch (RuntimeException failure) {
                span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
                span.end();
                throw failure;
            }
            return recorded.whenComplete((answer, failure) -> {
                if (failure != null) {
                    span.setStatus(StatusCode.ERROR, AigovMetrics.errorReason(failure));
                }
                span.end();
            });
        };
    }
}
