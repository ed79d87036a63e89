package dev.aigov.server.evaluation;

import dev.aigov.core.Catalog;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.Rules;
import dev.aigov.core.Snapshot;
import dev.aigov.server.storage.Fingerprint;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Evaluates a request: the state from the snapshot, the answer from the rules, and the record
 * from the recorder, in that order. No answer leaves without its durable record.
 */
public final class DecisionService {
    private final SnapshotSource snapshots;
    private final DecisionRecorder recorder;
    private final Supplier<Catalog> catalog;
    private final Clock clock;

    /** {@code catalog} is read once per decision: the one current then ({@link CurrentCatalog}). */
    public DecisionService(SnapshotSource snapshots, DecisionRecorder recorder, Supplier<Catalog> catalog, Clock clock) {
        this.snapshots = snapshots;
        this.recorder = recorder;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * Decides now and completes once the decision is recorded.
     *
     * @param callerGone whether the caller stopped waiting (its decision need not be recorded then)
     * @throws dev.aigov.server.error.StateStale         when the state cannot be confirmed current
     * @throws dev.aigov.server.error.StorageUnavailable when the state cannot be read
     */
    public CompletableFuture<RecordedDecision> evaluate(String principal, byte[] fingerprint, DecisionRequest request,
            BooleanSupplier callerGone) {
        Snapshot snapshot = snapshots.snapshotFor(request.workspaceId());
        Decision decision = Rules.evaluate(request, snapshot, catalog.get());
        return recorder.record(new DecisionRecorder.Pending(UUID.randomUUID(), UUID.randomUUID(), clock.instant(),
                principal, request, snapshot, decision, fingerprint, callerGone));
    }

    /**
     * The fingerprint of {@code request} made by principal {@code principalId}, in the encoding of
     * {@link Fingerprint}: purpose {@code EvaluateAiRequest}, then uuid(principal id),
     * text(workspace_id), text(tenant_id, "" when none), text(use_case), word(provider_class),
     * list(word(data_classifications)) in the order declared (repeats dropped), text(source_family),
     * text(actor.id), word(actor.kind), text(caller_surface, "" when none). Neither the request_id
     * (the record's key) nor the client version (metadata for the audit trail) takes part.
     */
    public static byte[] fingerprint(UUID principalId, DecisionRequest request) {
        return Fingerprint.of("EvaluateAiRequest")
                .uuid(principalId)
                .text(request.workspaceId())
                .text(request.tenantId())
                .text(request.useCase())
                .word(request.providerClass())
                .words(request.dataClassifications())
                .text(request.sourceFamily())
                .text(request.actor().id())
                .word(request.actor().kind())
                .text(request.callerSurface())
                .digest();
    }

    /** The catalog current now. */
    public Catalog catalog() {
        return catalog.get();
    }
}
