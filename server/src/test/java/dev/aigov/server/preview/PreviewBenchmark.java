package dev.aigov.server.preview;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.core.Catalog;
import dev.aigov.core.ControlState;
import dev.aigov.core.PolicyMode;
import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.storage.Database;
import dev.aigov.server.storage.EmbeddedCredentials;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How fast a preview replays the trail, and in how much memory: a million decisions seeded (as the
 * owner, in one INSERT ... SELECT) into an embedded PostgreSQL, then previews of a global pause (every
 * decision replayed), a catalog (the same) and one workspace's policy (a hundredth of them), timed, and
 * the heap sampled meanwhile. Printed, not asserted. Not part of the default run:
 * {@code ./mvnw -B -o -pl server -am verify -Dgroups=benchmark -Daigov.excludedGroups= -Daigov.redirectTestOutput=false
 * -Dtest=PreviewBenchmark -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Daigov.preview.decisions=N} for another size).
 */
@Tag("benchmark")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class PreviewBenchmark {
    private static final int DECISIONS = Integer.getInteger("aigov.preview.decisions", 1_000_000);
    private static final int WORKSPACES = 100;

    @Test
    void printsDecisionsReplayedPerSecondAndHeap(@TempDir Path home) throws Exception {
        DatabaseConfig config = new DatabaseConfig(Optional.empty(), home, 4, Duration.ofSeconds(2), true);
        try (Database database = Database.open(config, Database.EmbeddedUse.OWN)) {
            long seeding = System.nanoTime();
            seed(home, ((com.zaxxer.hikari.HikariDataSource) database.dataSource()).getJdbcUrl());
            System.out.printf("seeded %,d decisions in %.1f s%n", DECISIONS, (System.nanoTime() - seeding) / 1e9);

            Catalog catalog = CatalogFile.builtIn().catalog();
            ChangePreviews previews = new ChangePreviews(database.dsl(), () -> catalog, Clock.systemUTC(),
                    ChangePreviews.DEFAULT_MAX_DECISIONS, dev.aigov.server.testing.TestEvidence.create());
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.out.printf("JVM: %d processors, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20);
            for (int run = 1; run <= 3; run++) {
                measure("global pause, run " + run, previews, memory,
                        new Candidate.Control("ai.execution", "", ControlState.PAUSED), catalog);
            }
            measure("global resume (with the control's history)", previews, memory,
                    new Candidate.Control("ai.execution", "", ControlState.ENABLED), catalog);
            measure("catalog as recorded", previews, memory, new Candidate.AsRecorded(), catalog);
            measure("policy of one workspace", previews, memory, new Candidate.Policy("bench-7", PolicyMode.DISABLED), catalog);
        }
    }

    private static void measure(String what, ChangePreviews previews, MemoryMXBean memory, Candidate candidate, Catalog catalog)
            throws InterruptedException {
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(before);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long start = System.nanoTime();
        Preview preview = previews.replay(candidate, catalog, previews.window(Optional.empty()), Optional.empty());
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join();
        System.gc();
        long after = memory.getHeapMemoryUsage().getUsed();
        System.out.printf("%-45s %,9d replayed in %6.2f s = %,9.0f decisions/s; flips %,d to BLOCK, %,d to ALLOW, %d buckets;"
                + " heap used %,d MiB before, peak %,d MiB, %,d MiB after GC%n", what, preview.replayed(), seconds,
                preview.replayed() / seconds, preview.allowToBlock(), preview.blockToAllow(), preview.buckets().size(),
                before >> 20, peak.get() >> 20, after >> 20);
        assertThat(preview.cutShort()).isFalse();
    }

    /** DECISIONS decisions over the last 23 hours, across WORKSPACES workspaces: nine in ten ALLOW, one a personal_data BLOCK. */
    private static void seed(Path home, String url) throws Exception {
        EmbeddedCredentials credentials = EmbeddedCredentials.read(home);
        try (Connection owner = DriverManager.getConnection(url, EmbeddedCredentials.OWNER_ROLE, credentials.ownerPassword())) {
            try (PreparedStatement insert = owner.prepareStatement("""
                    INSERT INTO audit_events (event_id, occurred_at, kind, workspace_id, principal, actor_id, actor_kind,
                        caller_surface, decision_id, use_case, provider_class, data_classifications, source_family, outcome,
                        reason, all_reasons, rejected_classifications, policy_mode, policy_version, control_state,
                        control_version, message)
                    SELECT gen_random_uuid(), now() - interval '23 hours' + i * (interval '23 hours' / ?), 'ai_decision',
                        'bench-' || (i % ?), 'bench', 'user-' || (i % 1000), 'user',
                        (ARRAY['help-panel', 'side-panel', 'nightly-job'])[i % 3 + 1], gen_random_uuid(),
                        'product_knowledge.answer_draft', 'local_private',
                        CASE WHEN i % 10 = 0 THEN ARRAY['product_knowledge', 'personal_data'] ELSE ARRAY['product_knowledge'] END,
                        'product_knowledge', CASE WHEN i % 10 = 0 THEN 'block' ELSE 'allow' END,
                        CASE WHEN i % 10 = 0 THEN 'data_classification_not_permitted' END,
                        CASE WHEN i % 10 = 0 THEN ARRAY['data_classification_not_permitted'] ELSE ARRAY[]::text[] END,
                        CASE WHEN i % 10 = 0 THEN ARRAY['personal_data'] ELSE ARRAY[]::text[] END,
                        'private_only', 1, 'enabled', 0, 'seeded'
                    FROM generate_series(1, ?) AS i
                    """)) {
                insert.setInt(1, DECISIONS);
                insert.setInt(2, WORKSPACES);
                insert.setInt(3, DECISIONS);
                insert.executeUpdate();
            }
            try (Statement analyze = owner.createStatement()) {
                analyze.execute("ANALYZE audit_events");
            }
        }
    }
}
