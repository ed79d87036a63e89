package dev.aigov.server.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-peer budget of failed authentications, on a clock the test moves. */
class FailedAuthenticationsTest {
    private final AtomicLong now = new AtomicLong();
    private final FailedAuthentications budget = new FailedAuthentications(3, 2, now::get);
    private final byte[] valid = Tokens.hash("aigov_" + "v".repeat(43));

    @Test
    void aPeerMaySpendItsBurstThenWaitsForTheRefill() {
        assertThat(budget.spend("10.0.0.1")).isEmpty();
        assertThat(budget.spend("10.0.0.1")).isEmpty();
        assertThat(budget.spend("10.0.0.1")).isEmpty();

        assertThat(budget.spend("10.0.0.1")).contains(Duration.ofMillis(500));
        assertThat(budget.spend("10.0.0.2")).as("another peer has its own budget").isEmpty();

        now.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(budget.spend("10.0.0.1")).as("one unit refilled").isEmpty();
        assertThat(budget.spend("10.0.0.1")).isPresent();
    }

    @Test
    void aSuccessGivesItsUnitBack() {
        for (int i = 0; i < 10; i++) {
            assertThat(budget.spend("10.0.0.3")).isEmpty();
            budget.refund("10.0.0.3");
        }
    }

    @Test
    void aTokenThatAuthenticatedRecentlyIsKnownUntilItIsRevoked() {
        assertThat(budget.recentlyValid(valid)).isFalse();

        budget.succeeded(valid);
        assertThat(budget.recentlyValid(valid)).isTrue();

        budget.forget(valid);
        assertThat(budget.recentlyValid(valid)).isFalse();
    }
}
