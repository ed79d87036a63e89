package dev.aigov.server.evaluation.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.core.PolicyMode;
import dev.aigov.core.Snapshot;
import dev.aigov.server.testing.TestDatabase;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The in-memory state holds every workspace that ever set a policy: with 1,000,000 of them it
 * loads them all, decides from them, follows a change, and costs a bounded amount of heap per
 * workspace (printed; the figure is in docs/performance.md). Runs on a private database.
 */
// A million workspaces to load and follow.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MillionWorkspacesTest {
    private static final int WORKSPACES = 1_000_000;
    private static TestDatabase database;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a class's @Timeout does not cover its lifecycle methods
    static void oneMillionPolicies() throws SQLException {
        database = TestDatabase.startPrivate();
        try (Connection connection = database.database().dataSource().getConnection(); Statement sql = connection.createStatement()) {
            // A bulk load, not a million changes: no notifications (the state loads it whole).
            sql.execute("SET session_replication_role = replica");
            sql.execute("SET statement_timeout = 0");
            sql.execute("INSERT INTO workspace_policies (workspace_id, policy_mode, version, updated_at, updated_by) "
                    + "SELECT 'ws-' || lpad(i::text, 7, '0'), CASE WHEN i % 5 = 0 THEN 'disabled' ELSE 'private_only' END, "
                    + "1 + i % 3, now(), 'bulk' FROM generate_series(1, " + WORKSPACES + ") AS i");
            sql.execute("RESET session_replication_role");
        }
    }

    @AfterAll
    static void stop() {
        database.close();
    }

    @Test
    void holdsAMillionWorkspacesDecidesFromThemAndFollowsAChange() throws SQLException {
        long heapBefore = usedHeapAfterGc();
        DecisionState state = new DecisionState(Duration.ofSeconds(1));
        long started = System.nanoTime();
        StateListener listener = StateListener.start(state, database.database()::openDedicatedConnection, Duration.ofMinutes(2));
        try {
            long loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long heapAfter = usedHeapAfterGc();
            assertThat(state.workspacesHeld()).isEqualTo(WORKSPACES);
            double bytesPerWorkspace = (heapAfter - heapBefore) / (double) WORKSPACES;
            System.out.printf("In-memory state: %,d workspaces loaded in %,d ms; heap %,d MB, %.0f bytes per workspace%n",
                    WORKSPACES, loadMillis, (heapAfter - heapBefore) >> 20, bytesPerWorkspace);
            assertThat(bytesPerWorkspace).as("heap per workspace").isLessThan(400);

            // The garbage collections above take a while on a loaded machine: the state is read once it is confirmed again.
            dev.aigov.server.testing.Eventually.within(Duration.ofSeconds(10), state::current);
            Snapshot privateOnly = state.snapshotFor("ws-0000001");
            assertThat(privateOnly.policy().mode()).isEqualTo(PolicyMode.PRIVATE_ONLY);
            assertThat(privateOnly.policy().version()).isEqualTo(2);
            assertThat(state.snapshotFor("ws-1000000").policy().mode()).isEqualTo(PolicyMode.DISABLED);
            assertThat(state.snapshotFor("ws-never-set").policy().version()).isZero();

            try (Connection connection = database.database().dataSource().getConnection(); Statement sql = connection.createStatement()) {
                sql.execute(
                        "UPDATE workspace_policies SET policy_mode = 'disabled', version = version + 1 WHERE workspace_id = 'ws-0000001'");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!state.current() || state.snapshotFor("ws-0000001").policy().mode() != PolicyMode.DISABLED) {
                assertThat(System.nanoTime()).as("the change within 5 s").isLessThan(deadline);
                Thread.onSpinWait();
            }
            assertThat(state.current()).isTrue();
        } finally {
            listener.close();
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
