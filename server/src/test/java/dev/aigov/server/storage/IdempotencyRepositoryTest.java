package dev.aigov.server.storage;

import static dev.aigov.db.jooq.Tables.IDEMPOTENCY_RECORDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.server.error.RequestIdReused;
import dev.aigov.server.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Idempotency records against the run's shared PostgreSQL; every test uses its own request ids. */
class IdempotencyRepositoryTest {
    private static final String OPERATION = "SetWorkspacePolicy";
    private static DSLContext dsl;

    @BeforeAll
    static void database() {
        dsl = TestDatabase.shared().dsl();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static byte[] fingerprint(String body) {
        return Fingerprint.of(OPERATION).text("principal-1").text(body).digest();
    }

    private static Optional<IdempotencyRepository.PriorResult> claim(UUID requestId, String operation, byte[] fingerprint) {
        return dsl.transactionResult(cfg -> IdempotencyRepository.claim(cfg.dsl(), requestId, operation, fingerprint, now()));
    }

    @Test
    void firstClaimOfARequestIdSucceeds() {
        UUID requestId = UUID.randomUUID();

        assertThat(claim(requestId, OPERATION, fingerprint("a"))).isEmpty();
        assertThat(dsl.fetchCount(IDEMPOTENCY_RECORDS, IDEMPOTENCY_RECORDS.REQUEST_ID.eq(requestId))).isEqualTo(1);
    }

    @Test
    void sameRequestReplaysTheStoredVersionAndChangedFlag() {
        UUID requestId = UUID.randomUUID();
        dsl.transaction(cfg -> {
            assertThat(IdempotencyRepository.claim(cfg.dsl(), requestId, OPERATION, fingerprint("a"), now())).isEmpty();
            IdempotencyRepository.completeWithVersion(cfg.dsl(), requestId, 3, true);
        });

        Optional<IdempotencyRepository.PriorResult> prior = claim(requestId, OPERATION, fingerprint("a"));

        assertThat(prior).contains(new IdempotencyRepository.PriorResult(Optional.empty(), Optional.empty(), 3, true));
        assertThat(claim(requestId, OPERATION, fingerprint("a"))).isEqualTo(prior);
    }

    @Test
    void unchangedResultAtVersionZeroReplaysAsUnchanged() {
        UUID requestId = UUID.randomUUID();
        dsl.transaction(cfg -> {
            IdempotencyRepository.claim(cfg.dsl(), requestId, OPERATION, fingerprint("a"), now());
            IdempotencyRepository.completeWithVersion(cfg.dsl(), requestId, 0, false);
        });

        assertThat(claim(requestId, OPERATION, fingerprint("a")))
                .contains(new IdempotencyRepository.PriorResult(Optional.empty(), Optional.empty(), 0, false));
    }

    @Test
    void sameRequestReplaysTheStoredAuditEvent() {
        UUID requestId = UUID.randomUUID();
        UUID eventId = UUID.randomUUID();
        Instant eventAt = now();
        dsl.transaction(cfg -> {
            IdempotencyRepository.claim(cfg.dsl(), requestId, "EvaluateAiRequest", fingerprint("a"), eventAt);
            IdempotencyRepository.completeWithEvent(cfg.dsl(), requestId, eventId, eventAt);
        });

        Optional<IdempotencyRepository.PriorResult> prior = claim(requestId, "EvaluateAiRequest", fingerprint("a"));

        assertThat(prior).hasValueSatisfying(result -> {
            assertThat(result.eventId()).contains(eventId);
            assertThat(result.eventAt()).contains(eventAt);
        });
    }

    @Test
    void requestIdUsedForAnotherRequestIsReused() {
        UUID requestId = UUID.randomUUID();
        dsl.transaction(cfg -> {
            IdempotencyRepository.claim(cfg.dsl(), requestId, OPERATION, fingerprint("a"), now());
            IdempotencyRepository.completeWithVersion(cfg.dsl(), requestId, 1, true);
        });

        assertThatThrownBy(() -> claim(requestId, OPERATION, fingerprint("b")))
                .isInstanceOf(RequestIdReused.class)
                .hasMessageContaining(requestId.toString());
        assertThatThrownBy(() -> claim(requestId, "SetExecutionControl", fingerprint("a")))
                .isInstanceOf(RequestIdReused.class);
        assertThatThrownBy(() -> claim(requestId, OPERATION, Fingerprint.of(OPERATION).text("principal-2").text("a").digest()))
                .isInstanceOf(RequestIdReused.class);
        // The refusals changed nothing: the first request still replays.
        assertThat(claim(requestId, OPERATION, fingerprint("a"))).hasValueSatisfying(prior -> assertThat(prior.version()).isEqualTo(1));
    }

    @Test
    void claimRolledBackWithItsTransactionLeavesTheRequestIdFree() {
        UUID requestId = UUID.randomUUID();
        assertThatThrownBy(() -> dsl.transaction(cfg -> {
            IdempotencyRepository.claim(cfg.dsl(), requestId, OPERATION, fingerprint("a"), now());
            throw new IllegalStateException("the mutation failed");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(claim(requestId, OPERATION, fingerprint("b"))).isEmpty();
    }

    @Test
    void concurrentClaimWaitsForTheFirstTransactionAndGetsItsResult() throws Exception {
        UUID requestId = UUID.randomUUID();
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> dsl.transaction(cfg -> {
            assertThat(IdempotencyRepository.claim(cfg.dsl(), requestId, OPERATION, fingerprint("a"), now())).isEmpty();
            claimed.countDown();
            assertThat(finish.await(20, TimeUnit.SECONDS)).isTrue();
            IdempotencyRepository.completeWithVersion(cfg.dsl(), requestId, 5, true);
        }));
        assertThat(claimed.await(20, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Optional<IdempotencyRepository.PriorResult>> second =
                CompletableFuture.supplyAsync(() -> claim(requestId, OPERATION, fingerprint("a")));
        awaitABackendWaitingOnALock(Duration.ofSeconds(20));
        assertThat(second).isNotDone();
        finish.countDown();

        first.get(20, TimeUnit.SECONDS);
        assertThat(second.get(20, TimeUnit.SECONDS))
                .contains(new IdempotencyRepository.PriorResult(Optional.empty(), Optional.empty(), 5, true));
    }

    /** Polls PostgreSQL's own view of its backends until one waits for a lock on idempotency_records. */
    private static void awaitABackendWaitingOnALock(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (dsl.fetch("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE '%idempotency_records%' AND pid <> pg_backend_pid()").isEmpty()) {
            assertThat(Instant.now()).as("no claim ever waited for the first transaction").isBefore(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // poll, not spin: two cores are shared with the server
        }
    }
}
