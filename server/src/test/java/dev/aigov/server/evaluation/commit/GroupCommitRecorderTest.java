package dev.aigov.server.evaluation.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.core.Actor;
import dev.aigov.core.ActorKind;
import dev.aigov.core.ControlStatus;
import dev.aigov.core.DataClassification;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.PolicyStatus;
import dev.aigov.core.ProviderClass;
import dev.aigov.core.Rules;
import dev.aigov.core.Snapshot;
import dev.aigov.server.error.RequestIdReused;
import dev.aigov.server.error.StorageUnavailable;
import dev.aigov.server.evaluation.DecisionRecorder;
import dev.aigov.server.evaluation.RecordedDecision;
import dev.aigov.server.evaluation.state.StateRepository;
import dev.aigov.server.storage.Database;
import dev.aigov.server.storage.Fingerprint;
import dev.aigov.server.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The group-commit writer on the real database: batches commit whole or not at all, and it drains. */
class GroupCommitRecorderTest {
    private static final Snapshot NEVER_SET =
            new Snapshot(ControlStatus.NEVER_CHANGED, ControlStatus.NEVER_CHANGED, PolicyStatus.DEFAULT, -1);

    private final Database database = TestDatabase.shared();
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private GroupCommitRecorder recorder;

    @BeforeEach
    void startWithOneWriterHeldAtItsFirstBatch() {
        recorder = GroupCommitRecorder.start(database.dsl(), dev.aigov.server.testing.TestEvidence.create(), StateRepository::snapshots,
                CatalogFile.builtIn()::catalog, dev.aigov.server.testing.TestEvidence.micros(Clock.systemUTC()),
                Runnable::run, new GroupCommitRecorder.Limits(100, 500, 1));
        recorder.onEachBatch(new GroupCommitRecorder.BatchHook() {
            @Override
            public void beforeStateLock(DSLContext tx, int batchSize) {
                held.countDown();
                await(release);
            }
        });
    }

    @AfterEach
    void stop() {
        release.countDown();
        recorder.close(Duration.ofSeconds(10));
    }

    @Test
    void aDatabaseFailureMidBatchFailsEveryCallInItAndWritesNothingOfIt() throws Exception {
        String workspace = "ws-" + UUID.randomUUID();
        CompletableFuture<RecordedDecision> first = recorder.record(pending(workspace, Optional.of(UUID.randomUUID())));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        // These queue behind the held batch and are taken together as the next one.
        List<CompletableFuture<RecordedDecision>> batch = new ArrayList<>();
        List<UUID> requestIds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            UUID requestId = UUID.randomUUID();
            requestIds.add(requestId);
            batch.add(recorder.record(pending(workspace, i % 2 == 0 ? Optional.of(requestId) : Optional.empty())));
        }
        // The second batch loses its connection after writing every row, before its commit.
        recorder.onEachBatch(new GroupCommitRecorder.BatchHook() {
            @Override
            public void beforeCommit(DSLContext tx, int batchSize) {
                if (batchSize != 20) {
                    return; // the first, held batch
                }
                tx.connection(connection -> {
                    try (PreparedStatement kill = connection.prepareStatement("SELECT pg_terminate_backend(pg_backend_pid())")) {
                        kill.execute();
                    }
                });
            }
        });
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).decision().allowed()).isFalse();
        for (CompletableFuture<RecordedDecision> answer : batch) {
            assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StorageUnavailable.class);
        }
        assertThat(count("SELECT count(*) FROM audit_events WHERE workspace_id = ?", workspace)).isEqualTo(1);
        for (UUID requestId : requestIds) {
            assertThat(count("SELECT count(*) FROM decision_request_ids WHERE request_id = ?", requestId)).isZero();
        }
        // And the writer goes on with the next batch.
        recorder.onEachBatch(GroupCommitRecorder.BatchHook.NONE);
        assertThat(recorder.record(pending(workspace, Optional.empty())).get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(count("SELECT count(*) FROM audit_events WHERE workspace_id = ?", workspace)).isEqualTo(2);
    }

    @Test
    void closingDrainsWhatIsQueuedBeforeItReturns() throws Exception {
        String workspace = "ws-" + UUID.randomUUID();
        List<CompletableFuture<RecordedDecision>> answers = new ArrayList<>();
        answers.add(recorder.record(pending(workspace, Optional.empty())));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 30; i++) {
            answers.add(recorder.record(pending(workspace, Optional.of(UUID.randomUUID()))));
        }
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> recorder.close(Duration.ofSeconds(20)));
        // Closing refuses new work at once, and still records the queued.
        String later = "ws-" + UUID.randomUUID();
        assertThat(pollUntil(() -> recorder.record(pending(later, Optional.empty())).isCompletedExceptionally())).isTrue();
        release.countDown();
        closed.get(30, TimeUnit.SECONDS);

        for (CompletableFuture<RecordedDecision> answer : answers) {
            assertThat(answer).isCompleted();
            assertThat(answer.get().auditEventId()).isNotNull();
        }
        assertThat(count("SELECT count(*) FROM audit_events WHERE workspace_id = ?", workspace)).isEqualTo(31);
    }

    @Test
    void theSameRequestIdTwiceInOneBatchIsOneDecisionAndOneRecord() throws Exception {
        String workspace = "ws-" + UUID.randomUUID();
        recorder.record(pending(workspace, Optional.empty()));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        UUID requestId = UUID.randomUUID();
        CompletableFuture<RecordedDecision> first = recorder.record(pending(workspace, Optional.of(requestId)));
        CompletableFuture<RecordedDecision> retry = recorder.record(pending(workspace, Optional.of(requestId)));
        CompletableFuture<RecordedDecision> other = recorder.record(pending("ws-" + UUID.randomUUID(), Optional.of(requestId)));
        release.countDown();

        assertThat(retry.get(10, TimeUnit.SECONDS).decisionId()).isEqualTo(first.get(10, TimeUnit.SECONDS).decisionId());
        assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RequestIdReused.class);
        assertThat(count("SELECT count(*) FROM audit_events WHERE request_id = ?", requestId)).isEqualTo(1);
    }

    @Test
    void aDecisionWhoseCallerIsGoneBeforeItsTurnIsNotRecorded() throws Exception {
        String workspace = "ws-" + UUID.randomUUID();
        CompletableFuture<RecordedDecision> first = recorder.record(pending(workspace, Optional.empty()));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.atomic.AtomicBoolean deadlinePassed = new java.util.concurrent.atomic.AtomicBoolean();
        DecisionRecorder.Pending waiting = pending(workspace, Optional.of(UUID.randomUUID()));
        CompletableFuture<RecordedDecision> gone = recorder.record(new DecisionRecorder.Pending(waiting.decisionId(),
                waiting.auditEventId(), waiting.evaluatedAt(), waiting.principal(), waiting.request(), waiting.snapshot(),
                waiting.decision(), waiting.fingerprint(), deadlinePassed::get));
        deadlinePassed.set(true);
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThatThrownBy(() -> gone.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(count("SELECT count(*) FROM audit_events WHERE workspace_id = ?", workspace)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM decision_request_ids WHERE request_id = ?", waiting.request().requestId().orElseThrow()))
                .isZero();
    }

    /** A BLOCK (the workspace never set a policy) decided on an unversioned snapshot: always checked. */
    private static DecisionRecorder.Pending pending(String workspace, Optional<UUID> requestId) {
        DecisionRequest request = new DecisionRequest(workspace, "", "product_knowledge.answer_draft", ProviderClass.LOCAL_PRIVATE,
                List.of(DataClassification.PRODUCT_KNOWLEDGE), "product_knowledge", new Actor("user-1", ActorKind.USER), "",
                requestId);
        Decision decision = Rules.evaluate(request, NEVER_SET, CatalogFile.builtIn().catalog());
        assertThat(decision.effectivePolicyMode()).isEqualTo(PolicyMode.DISABLED);
        return new DecisionRecorder.Pending(UUID.randomUUID(), UUID.randomUUID(), Clock.systemUTC().instant().truncatedTo(
                java.time.temporal.ChronoUnit.MICROS), "tester", request, NEVER_SET, decision,
                Fingerprint.of("EvaluateAiRequest").text("tester").text(workspace).digest(), () -> false);
    }

    private int count(String sql, Object parameter) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static boolean pollUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(5); // pacing only: the deadline decides
        }
        return false;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
