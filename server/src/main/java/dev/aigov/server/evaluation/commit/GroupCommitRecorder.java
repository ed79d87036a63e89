package dev.aigov.server.evaluation.commit;

import dev.aigov.core.Catalog;
import dev.aigov.core.Decision;
import dev.aigov.core.Rules;
import dev.aigov.core.Snapshot;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditRepository;
import dev.aigov.server.error.AigovException;
import dev.aigov.server.error.CallerGone;
import dev.aigov.server.error.Overloaded;
import dev.aigov.server.error.RequestIdReused;
import dev.aigov.server.error.StorageUnavailable;
import dev.aigov.server.evaluation.DecisionRecorder;
import dev.aigov.server.evaluation.RecordedDecision;
import dev.aigov.server.evidence.Evidence;
import dev.aigov.server.storage.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records decisions by group commit: calls put their decision on a bounded queue; writer threads
 * take whatever has queued up (up to {@link Limits#maxBatch}) and commit it in one transaction:
 * the idempotency records in one multi-row INSERT, the audit events in one COPY, sealed by one signed
 * checkpoint of the writer's own chain (docs/evidence.md). Each call's
 * answer completes only after its batch has committed; a failed batch fails every call in it,
 * and nothing of it is written. A full queue refuses at once ({@link Overloaded}).
 *
 * <p><b>The stop no decision can cross.</b> Each batch first takes the decision-state lock shared
 * and reads the state version ({@link DecisionStateLock#forDecisions}); every change of a control,
 * a policy or a principal holds that lock exclusively until it commits. A decision made on another
 * version than the one read is checked against the rows as committed now and, if they moved,
 * decided again on them before it is recorded. So, in commit order, no decision recorded after a
 * pause (or a policy change) was made on the state before it, on any replica.
 */
public final class GroupCommitRecorder implements DecisionRecorder, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitRecorder.class);
    /** The operation a reused decision request_id is reported for. */
    static final String OPERATION = "EvaluateAiRequest";

    /** Reads, in the recording transaction, the state of these workspaces as committed now. */
    @FunctionalInterface
    public interface CommittedSnapshots {
        Map<String, Snapshot> read(DSLContext tx, Collection<String> workspaces, long stateVersion);
    }

    /** Points in each batch's transaction where tests stop a batch, or break its connection. */
    public interface BatchHook {
        BatchHook NONE = new BatchHook() {
        };

        /** Before the batch takes the state lock: its decisions are made, nothing is checked yet. */
        default void beforeStateLock(DSLContext tx, int batchSize) {
        }

        /** After every row of the batch is written, before the commit. */
        default void beforeCommit(DSLContext tx, int batchSize) {
        }
    }

    /** What the writer reports of itself: each transaction's size and time, and each refusal of a full queue. */
    public interface WriterMetrics {
        WriterMetrics NONE = new WriterMetrics() {
        };

        /** A batch committed, {@code nanos} from its first statement to its commit. */
        default void batchCommitted(int size, long nanos) {
        }

        /** A batch failed (rolled back), after {@code nanos}; every call in it was answered UNAVAILABLE. */
        default void batchFailed(int size, long nanos) {
        }

        /** A decision was refused at once: the queue was full. */
        default void refused() {
        }
    }

    /**
     * @param queueCapacity decisions that may wait for a writer; beyond it calls are refused at once
     * @param maxBatch      decisions one transaction records at most
     * @param writers       transactions in flight at once (each on its own pooled connection)
     */
    public record Limits(int queueCapacity, int maxBatch, int writers) {
        public Limits {
            if (queueCapacity < 1 || maxBatch < 1 || maxBatch > 500 || writers < 1 || writers > 16) {
                throw new IllegalArgumentException("audit writer limits out of range: queue " + queueCapacity
                        + " (>= 1), batch " + maxBatch + " (1 to 500), writers " + writers + " (1 to 16)");
            }
        }
    }

    private record Item(Pending pending, CompletableFuture<RecordedDecision> answer) {
    }

    /** An item as it will be recorded: decided again if the state moved under it. */
    private record Decided(Item item, Decision decision, Instant evaluatedAt) {
        Pending pending() {
            return item.pending();
        }

        RecordedDecision answer() {
            return new RecordedDecision(pending().decisionId(), evaluatedAt, pending().auditEventId(), decision, Optional.empty());
        }

        AuditEvent.DecisionMade event() {
            return new AuditEvent.DecisionMade(new AuditEvent.Header(pending().auditEventId(), evaluatedAt,
                    pending().request().workspaceId(), pending().principal(), pending().request().requestId()),
                    pending().request(), pending().decisionId(), decision);
        }
    }

    /** What an item ends as: an answer, or a failure of its own (a reused request_id). */
    private record Result(RecordedDecision answer, AigovException failure) {
        static Result of(RecordedDecision answer) {
            return new Result(answer, null);
        }

        static Result refused(AigovException failure) {
            return new Result(null, failure);
        }
    }

    private final DSLContext dsl;
    private final Evidence evidence;
    private final CommittedSnapshots committed;
    private final Supplier<Catalog> catalog;
    private final Clock clock;
    private final Executor completions;
    private final Limits limits;
    private final BlockingQueue<Item> queue;
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean accepting = true;
    private volatile boolean draining;
    private volatile BatchHook batchHook = BatchHook.NONE;
    private volatile WriterMetrics metrics = WriterMetrics.NONE;

    private GroupCommitRecorder(DSLContext dsl, Evidence evidence, CommittedSnapshots committed, Supplier<Catalog> catalog,
            Clock clock, Executor completions, Limits limits) {
        this.dsl = dsl;
        this.evidence = evidence;
        this.committed = committed;
        this.catalog = catalog;
        this.clock = clock;
        this.completions = completions;
        this.limits = limits;
        this.queue = new ArrayBlockingQueue<>(limits.queueCapacity());
    }

    /**
     * Starts the writers.
     *
     * @param evidence    what seals each batch with its signed checkpoint: each writer writes a chain of its own
     * @param completions where answers are completed (the gRPC executor), so that writers only write
     */
    public static GroupCommitRecorder start(DSLContext dsl, Evidence evidence, CommittedSnapshots committed,
            Supplier<Catalog> catalog, Clock clock, Executor completions, Limits limits) {
        GroupCommitRecorder recorder = new GroupCommitRecorder(dsl, evidence, committed, catalog, clock, completions, limits);
        for (int i = 0; i < limits.writers(); i++) {
            Thread writer = new Thread(recorder::write, "aigov-audit-writer-" + i);
            writer.setDaemon(true);
            recorder.writers.add(writer);
            writer.start();
        }
        return recorder;
    }

    @Override
    public CompletableFuture<RecordedDecision> record(Pending pending) {
        if (!accepting) {
            return CompletableFuture.failedFuture(new Overloaded("recording the decision: the server is shutting down"));
        }
        Item item = new Item(pending, new CompletableFuture<>());
        if (!queue.offer(item)) {
            metrics.refused();
            return CompletableFuture.failedFuture(new Overloaded("recording the decision: "
                    + limits.queueCapacity() + " decisions are already waiting for their audit record"));
        }
        return item.answer();
    }

    /** Decisions waiting for a writer now. */
    public int queued() {
        return queue.size();
    }

    /** The queue's capacity: beyond it decisions are refused. */
    public int capacity() {
        return limits.queueCapacity();
    }

    /** Reports every batch and refusal from now on to {@code reporter}. */
    public void reportTo(WriterMetrics reporter) {
        this.metrics = reporter;
    }

    /** Installs test hooks into every batch from now on. */
    public void onEachBatch(BatchHook hook) {
        this.batchHook = hook;
    }

    private void write() {
        Evidence.Chain chain = evidence.newChain();
        List<Item> batch = new ArrayList<>(limits.maxBatch());
        while (true) {
            Item first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = queue.poll();
            }
            if (first == null) {
                if (draining) {
                    return;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, limits.maxBatch() - 1);
            try {
                commit(batch, chain);
            } catch (Throwable bug) { // no Throwable may end a writer: its calls fail closed
                LOG.error("The audit writer failed outside a batch's transaction; its {} call(s) are answered UNAVAILABLE", batch.size(),
                        bug);
                StorageUnavailable failure = new StorageUnavailable("recording the decision", bug);
                batch.forEach(item -> item.answer().completeExceptionally(failure));
            }
            batch.clear();
        }
    }

    /** What a batch's transaction ends with: each item's result, and the batch as sealed (null when it wrote no event). */
    private record Committed(List<Result> results, Evidence.Sealed sealed) {
    }

    private void commit(List<Item> taken, Evidence.Chain chain) {
        List<Item> batch = new ArrayList<>(taken.size());
        for (Item item : taken) {
            if (item.pending().callerGone().getAsBoolean()) {
                // Its deadline passed (or it was cancelled) while it waited: nobody will read the
                // answer, and nothing of it is written.
                item.answer().completeExceptionally(new CallerGone(CallerGone.Stage.RECORDING));
            } else {
                batch.add(item);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        Committed committed;
        long started = System.nanoTime();
        try {
            committed = Transactions.inTransaction(dsl, "recording " + batch.size() + " decision(s)", tx -> recordBatch(tx, batch, chain));
        } catch (AigovException failure) {
            chain.failed();
            metrics.batchFailed(batch.size(), System.nanoTime() - started);
            answerAll(batch, Collections.nCopies(batch.size(), Result.refused(failure)));
            return;
        } catch (RuntimeException | Error bug) {
            chain.failed();
            metrics.batchFailed(batch.size(), System.nanoTime() - started);
            // The writer must outlive a bug: its batch fails closed, the next one is tried.
            LOG.error("Recording a batch of {} decisions failed unexpectedly; every call in it is answered UNAVAILABLE", batch.size(), bug);
            StorageUnavailable failure = new StorageUnavailable("recording the decision", bug);
            answerAll(batch, Collections.nCopies(batch.size(), Result.refused(failure)));
            return;
        }
        if (committed.sealed() != null) {
            chain.committed(committed.sealed());
        }
        metrics.batchCommitted(batch.size(), System.nanoTime() - started);
        answerAll(batch, committed.results());
    }

    /**
     * Completes a committed batch's answers on the completions executor, in one task: one thread
     * wake-up per batch, since a wake-up (a futex signal) costs more CPU than completing an answer.
     */
    private void answerAll(List<Item> batch, List<Result> results) {
        List<Item> items = List.copyOf(batch);
        Runnable complete = () -> {
            for (int i = 0; i < items.size(); i++) {
                Result result = results.get(i);
                if (result.failure() != null) {
                    items.get(i).answer().completeExceptionally(result.failure());
                } else {
                    items.get(i).answer().complete(result.answer());
                }
            }
        };
        try {
            completions.execute(complete);
        } catch (RejectedExecutionException shuttingDown) {
            complete.run();
        }
    }

    /** One batch, in its transaction: lock, re-decide what moved, claim request_ids, insert and seal. */
    private Committed recordBatch(DSLContext tx, List<Item> batch, Evidence.Chain chain) {
        batchHook.beforeStateLock(tx, batch.size());
        long stateVersion = DecisionStateLock.forDecisions(tx);
        List<Decided> decided = decideOnCommittedState(tx, batch, stateVersion);

        Result[] results = new Result[decided.size()];
        List<AuditEvent.DecisionMade> events = new ArrayList<>(decided.size());
        // In request_id order: two batches repointing the same ids never wait for each other in a cycle.
        Map<UUID, Integer> firstWithId = new TreeMap<>();
        List<Integer> repeats = new ArrayList<>();
        List<DecisionClaims.Claim> claims = new ArrayList<>();
        for (int i = 0; i < decided.size(); i++) {
            Decided one = decided.get(i);
            Optional<UUID> requestId = one.pending().request().requestId();
            if (requestId.isEmpty()) {
                events.add(one.event());
                results[i] = Result.of(one.answer());
            } else if (firstWithId.putIfAbsent(requestId.get(), i) != null) {
                repeats.add(i);
            } else {
                claims.add(new DecisionClaims.Claim(requestId.get(), one.pending().fingerprint(), one.evaluatedAt(),
                        one.pending().auditEventId(), one.evaluatedAt()));
            }
        }

        Set<UUID> claimed = DecisionClaims.claimAll(tx, claims);
        Map<UUID, byte[]> retried = new HashMap<>();
        claims.stream().filter(claim -> !claimed.contains(claim.requestId()))
                .forEach(claim -> retried.put(claim.requestId(), claim.fingerprint()));
        Map<UUID, Optional<DecisionClaims.Prior>> priors = DecisionClaims.priors(tx, retried);
        for (Map.Entry<UUID, Integer> first : firstWithId.entrySet()) {
            Decided one = decided.get(first.getValue());
            if (claimed.contains(first.getKey())) {
                events.add(one.event());
                results[first.getValue()] = Result.of(one.answer());
            } else {
                results[first.getValue()] = replayOrRecord(tx, one, priors.get(first.getKey()), events);
            }
        }
        for (int i : repeats) {
            Decided one = decided.get(i);
            UUID requestId = one.pending().request().requestId().orElseThrow();
            int firstIndex = firstWithId.get(requestId);
            results[i] = repeatInBatch(tx, one, decided.get(firstIndex), results[firstIndex], events);
        }
        Evidence.Sealed sealed = null;
        if (!events.isEmpty()) {
            sealed = chain.seal(tx, events);
            Map<UUID, Integer> leafOf = new HashMap<>();
            for (int leaf = 0; leaf < events.size(); leaf++) {
                leafOf.put(events.get(leaf).header().eventId(), leaf);
            }
            for (int i = 0; i < results.length; i++) {
                Integer leaf = results[i].answer() == null ? null : leafOf.get(results[i].answer().auditEventId());
                if (leaf != null) {
                    results[i] = Result
                            .of(results[i].answer().withReceipt(Optional.of(sealed.receipt(leaf, events.get(leaf).header().occurredAt()))));
                }
            }
        }
        batchHook.beforeCommit(tx, batch.size());
        return new Committed(Arrays.asList(results), sealed);
    }

    /**
     * Every decision made on another state version than the one committed now is checked against
     * the rows as committed; where they moved, it is decided again on them.
     */
    private List<Decided> decideOnCommittedState(DSLContext tx, List<Item> batch, long stateVersion) {
        Set<String> moved = new HashSet<>();
        for (Item item : batch) {
            if (item.pending().snapshot().stateVersion() != stateVersion) {
                moved.add(item.pending().request().workspaceId());
            }
        }
        Map<String, Snapshot> now = moved.isEmpty() ? Map.of() : committed.read(tx, moved, stateVersion);
        List<Decided> decided = new ArrayList<>(batch.size());
        for (Item item : batch) {
            Pending pending = item.pending();
            Snapshot current = now.get(pending.request().workspaceId());
            if (pending.snapshot().stateVersion() == stateVersion || current.sameRowsAs(pending.snapshot())) {
                decided.add(new Decided(item, pending.decision(), pending.evaluatedAt()));
            } else {
                decided.add(new Decided(item, Rules.evaluate(pending.request(), current, catalog.get()), clock.instant()));
            }
        }
        return decided;
    }

    /**
     * A request_id recorded before: the first decision is answered again, and nothing written,
     * only while it is still what is decided now; otherwise this decision is recorded and the
     * request_id names it from now on (a replay never carries an old ALLOW past a state change).
     * A first decision that cannot be read back (its event is gone) is treated the same way: this
     * decision is recorded and named. Whatever happens, it is this item's result alone.
     */
    private Result replayOrRecord(DSLContext tx, Decided one, Optional<DecisionClaims.Prior> prior,
            List<AuditEvent.DecisionMade> events) {
        UUID requestId = one.pending().request().requestId().orElseThrow();
        if (prior == null) {
            // Claimed by another request and forgotten (its window passed) between the claim and the read.
            return Result.refused(new StorageUnavailable("recording the decision", new IllegalStateException(
                    "request_id " + requestId + " was forgotten while it was being claimed")));
        }
        if (prior.isEmpty()) {
            return Result.refused(new RequestIdReused(requestId, OPERATION));
        }
        Optional<AuditEvent.DecisionMade> first = AuditRepository.findDecision(tx, prior.get().eventId(), prior.get().eventAt());
        if (first.isEmpty()) {
            LOG.warn("request_id {} names audit event {}, which cannot be read back; its retry is recorded anew", requestId,
                    prior.get().eventId());
            return recordAndRepoint(tx, one, events);
        }
        AuditEvent.DecisionMade recorded = first.get();
        // Equal as the trail keeps it (what would pass is not stored): the first decision, answered as it was, hints included.
        if (recorded.decision().equals(one.decision().asRecorded())) {
            return Result.of(new RecordedDecision(recorded.decisionId(), recorded.header().occurredAt(), recorded.header().eventId(),
                    one.decision(), Evidence.receiptOf(tx, recorded.header().eventId(), recorded.header().occurredAt())));
        }
        return recordAndRepoint(tx, one, events);
    }

    /** The same request_id twice in one batch: the second is a retry of the first. */
    private Result repeatInBatch(DSLContext tx, Decided repeat, Decided first, Result firstResult, List<AuditEvent.DecisionMade> events) {
        UUID requestId = repeat.pending().request().requestId().orElseThrow();
        if (!Arrays.equals(repeat.pending().fingerprint(), first.pending().fingerprint())) {
            return Result.refused(new RequestIdReused(requestId, OPERATION));
        }
        if (firstResult.failure() != null || firstResult.answer().decision().equals(repeat.decision())) {
            return firstResult;
        }
        return recordAndRepoint(tx, repeat, events);
    }

    private Result recordAndRepoint(DSLContext tx, Decided one, List<AuditEvent.DecisionMade> events) {
        events.add(one.event());
        DecisionClaims.repoint(tx, one.pending().request().requestId().orElseThrow(), one.pending().auditEventId(),
                one.evaluatedAt());
        return Result.of(one.answer());
    }

    /**
     * Stops taking decisions and records every one already queued (the drain), waiting up to
     * {@code timeout}; whatever is left then is answered UNAVAILABLE.
     */
    public void close(Duration timeout) {
        accepting = false;
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread writer : writers) {
            try {
                writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Item> left = new ArrayList<>();
        queue.drainTo(left);
        if (!left.isEmpty()) {
            LOG.warn("{} decision(s) could not be recorded before shutdown; answered UNAVAILABLE", left.size());
            Overloaded failure = new Overloaded("recording the decision: the server shut down first");
            left.forEach(item -> item.answer().completeExceptionally(failure));
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
