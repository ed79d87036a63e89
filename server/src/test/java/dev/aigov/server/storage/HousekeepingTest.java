package dev.aigov.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HousekeepingTest {

    @Test
    void aRoundForgetsRequestIdsPastTheirRetentionAndStillReplaysNewerOnes() {
        Database database = TestDatabase.shared();
        // Long before any other test's records, so that this round forgets only this test's.
        Instant now = Instant.parse("2001-03-10T12:00:00Z");
        UUID old = UUID.randomUUID();
        UUID fresh = UUID.randomUUID();
        byte[] fingerprint = Fingerprint.of("housekeeping-test").digest();
        // README.md, "Cookbook": "A `request_id` is remembered for 7 days."
        Duration documentedRetention = Duration.ofDays(7);
        claimAndComplete(database, old, fingerprint, now.minus(documentedRetention).minus(Duration.ofMinutes(1)));
        claimAndComplete(database, fresh, fingerprint, now.minus(documentedRetention).plus(Duration.ofMinutes(1)));

        new Housekeeping(database, Clock.fixed(now, ZoneOffset.UTC), HotPathConfig.DEFAULT_REPLAY_WINDOW).runOnce();

        Optional<IdempotencyRepository.PriorResult> forgotten =
                database.dsl().transactionResult(cfg -> IdempotencyRepository.claim(cfg.dsl(), old, "Test", fingerprint, now));
        Optional<IdempotencyRepository.PriorResult> remembered =
                database.dsl().transactionResult(cfg -> IdempotencyRepository.claim(cfg.dsl(), fresh, "Test", fingerprint, now));

        assertThat(forgotten).as("a forgotten request_id is new again").isEmpty();
        assertThat(remembered).as("a remembered request_id replays").isPresent();
    }

    private static void claimAndComplete(Database database, UUID requestId, byte[] fingerprint, Instant at) {
        database.dsl().transaction(cfg -> {
            assertThat(IdempotencyRepository.claim(cfg.dsl(), requestId, "Test", fingerprint, at)).isEmpty();
            IdempotencyRepository.completeWithVersion(cfg.dsl(), requestId, 1, true);
        });
    }

    /**
     * Decision request_ids past their window are forgotten in bounded statements (chunks of
     * {@link Housekeeping#PURGE_CHUNK}, each its own statement, so none meets the pool's statement
     * timeout), and none within the window is. Five chunks' worth here; millions in the benchmark below.
     */
    @Test
    void decisionRequestIdsPastTheReplayWindowAreForgottenInBoundedChunksAndNoneWithinIt() {
        // docs/design.md, "Replays": "bounded deletes of 10,000 rows (at most 30 s per round)".
        int documentedChunk = 10_000;
        assertThat(Housekeeping.PURGE_CHUNK).as("rows per delete, as docs/design.md gives them").isEqualTo(documentedChunk);
        assertThat(Housekeeping.PURGE_BUDGET).as("a round's budget, as docs/design.md gives it").isEqualTo(Duration.ofSeconds(30));

        forgetsExpiredDecisionIds(Instant.parse("2001-06-10T12:00:00Z"), 5 * documentedChunk + 17);
    }

    /** The purge rate: 3,000,000 expired decision request_ids (-Dgroups=benchmark -Daigov.excludedGroups=). */
    @Test
    @Tag("benchmark")
    @Timeout(value = 15, unit = TimeUnit.MINUTES) // its own deadline is 10 minutes; not bound by the tests' 90 s
    void benchmarkForgettingMillionsOfDecisionRequestIds() {
        forgetsExpiredDecisionIds(Instant.parse("2001-09-10T12:00:00Z"), 3_000_000);
    }

    private static void forgetsExpiredDecisionIds(Instant now, int expired) {
        Database database = TestDatabase.shared();
        // Long before any other test's records, so that these rounds forget only this test's.
        // README, "The stop no decision can cross": AIGOV_DECISION_REPLAY_WINDOW "(default 15 minutes)".
        Duration window = Duration.ofMinutes(15);
        assertThat(HotPathConfig.DEFAULT_REPLAY_WINDOW).isEqualTo(window);
        int kept = 1_000;
        String insert = "INSERT INTO decision_request_ids (request_id, fingerprint, created_at, result_event_id, result_event_at)"
                + " SELECT gen_random_uuid(), '\\x00', ?::timestamptz - (n % 3600) * interval '1 second', gen_random_uuid(), ?::timestamptz"
                + " FROM generate_series(1, ?) AS n";
        String beforeWindow = now.minus(window).minusSeconds(1).toString();
        String withinWindow = now.minus(window).plusSeconds(3600 + 60).toString();
        long insertStarted = System.nanoTime();
        for (int inserted = 0; inserted < expired; inserted += 50_000) { // statements within the pool's timeout
            database.dsl().execute(insert, beforeWindow, beforeWindow, Math.min(50_000, expired - inserted));
        }
        database.dsl().execute(insert, withinWindow, withinWindow, kept);
        System.out.printf("inserted %,d decision request_ids in %.1f s%n", expired + kept, (System.nanoTime() - insertStarted) / 1e9);
        String countBefore = "SELECT count(*) FROM decision_request_ids WHERE created_at < ?::timestamptz";
        String cutoff = now.minus(window).toString();

        Housekeeping housekeeping = new Housekeeping(database, Clock.fixed(now, ZoneOffset.UTC), window);
        long started = System.nanoTime();
        long deadline = started + Duration.ofMinutes(10).toNanos();
        int rounds = 0;
        while (database.dsl().fetchValue(countBefore, cutoff) instanceof Long left && left > 0) {
            assertThat(System.nanoTime() - deadline).as("expired records left: %d", left).isNegative();
            housekeeping.forgetExpiredDecisionIds();
            rounds++;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("forgot %,d decision request_ids in %d round(s) of at most %d s, %.1f s: %,.0f records/s%n", expired, rounds,
                Housekeeping.PURGE_BUDGET.toSeconds(), seconds, expired / seconds);

        assertThat(housekeeping.decisionIdsForgotten()).isEqualTo(expired);
        assertThat(housekeeping.failures()).isZero();
        assertThat(database.dsl().fetchValue("SELECT count(*) FROM decision_request_ids WHERE created_at >= ?::timestamptz"
                + " AND created_at < ?::timestamptz + interval '1 day'", cutoff, cutoff)).isEqualTo((long) kept);
    }
}
