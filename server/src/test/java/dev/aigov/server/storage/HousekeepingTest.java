package dev.aigov.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HousekeepingTest {

    @Test
    void aRoundForgetsRequestIdsPastTheirRetentionAndStillReplaysNewerOnes() {
        Database database = TestDatabase.shared();
        // Long before any other test's records, so that this round forgets only this test's.
        Instant now = Instant.parse("2001-03-10T12:00:00Z");
        UUID old = UUID.randomUUID();
        UUID fresh = UUID.randomUUID();
        byte[] fingerprint = Fingerprint.of("housekeeping-test").digest();
        claimAndComplete(database, old, fingerprint, now.minus(Housekeeping.IDEMPOTENCY_RETENTION).minus(Duration.ofMinutes(1)));
        claimAndComplete(database, fresh, fingerprint, now.minus(Housekeeping.IDEMPOTENCY_RETENTION).plus(Duration.ofMinutes(1)));

        new Housekeeping(database, Clock.fixed(now, ZoneOffset.UTC)).runOnce();

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
}
