package dev.aigov.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.evidence.SigningKeys;
import dev.aigov.server.testing.TestDatabase;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How fast {@code audit verify} walks a database trail: 100,000 events in 1,000 checkpoints of 100.
 * Run: {@code ./mvnw -B -o -q -pl server -am test -Dtest=VerifyBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dgroups=benchmark -Daigov.excludedGroups= -Daigov.redirectTestOutput=false}
 */
@Tag("benchmark")
class VerifyBenchmark {
    @Test
    @Timeout(600)
    void verifiesAHundredThousandEvents() {
        TestDatabase.shared();
        SigningKeys.PrivateKey key = ChainedTrail.publishedKey();
        UUID chain = ChainedTrail.writeLarge(key, Instant.now(), 1000, 100);
        VerifyOptions options = VerifyOptions.of(SigningKeys.KeySet.of(key.publicKey())).withChains(Set.of(chain));
        PrintWriter out = new PrintWriter(System.out, true);
        for (int round = 1; round <= 3; round++) {
            VerifyReport report = TrailVerifier.verifyDatabase(TestDatabase.shared().dsl(), options, "the benchmark chain (round " + round
                    + ")", false);
            report.print(out);
            assertThat(report.clean()).isTrue();
            assertThat(report.events()).isEqualTo(100_000);
        }
    }
}
