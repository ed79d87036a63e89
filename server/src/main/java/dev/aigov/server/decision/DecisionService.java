package dev.aigov.server.decision;

import java.time.Clock;
import java.util.UUID;

/**
 * Evaluates a request: the state from the snapshot, the answer from the rules, and the record
 * from the recorder, in that order. No answer leaves without its durable record.
 */
public final class DecisionService {
    private final SnapshotSource snapshots;
    private final DecisionRecorder recorder;
    private final Catalog catalog;
    private final Clock clock;

    public DecisionService(SnapshotSource snapshots, DecisionRecorder recorder, Catalog catalog, Clock clock) {
        this.snapshots = snapshots;
        this.recorder = recorder;
        this.catalog = catalog;
        this.clock = clock;
    }

    public RecordedDecision evaluate(String principal, byte[] fingerprint, DecisionRequest request) {
        Decision decision = Rules.evaluate(request, snapshots.snapshotFor(request.workspaceId()), catalog);
        return recorder.record(new DecisionRecorder.Pending(UUID.randomUUID(), UUID.randomUUID(), clock.instant(),
                principal, request, decision, fingerprint));
    }

    public Catalog catalog() {
        return catalog;
    }
}
