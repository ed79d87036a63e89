package dev.aigov.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.testing.TestDatabase;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The migrated schema of the run's shared PostgreSQL: migrations, and the audit trail's monthly partitions. */
class DatabaseTest {
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy_MM");
    private static Database database;
    private static DSLContext dsl;

    @BeforeAll
    static void database() {
        database = TestDatabase.shared();
        dsl = database.dsl();
    }

    @Test
    void migrationsAreApplied() {
        List<String> versions = dsl.fetch("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")
                .getValues(0, String.class);
        List<String> tables = dsl.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").getValues(0, String.class);

        assertThat(versions).contains("1");
        assertThat(dsl.fetch("SELECT 1 FROM flyway_schema_history WHERE NOT success")).isEmpty();
        assertThat(tables).contains("workspace_policies", "workspace_policy_versions", "execution_controls", "control_activations",
                "audit_events", "principals", "idempotency_records");
    }

    @Test
    void ensuringAuditPartitionsAgainCreatesNone() {
        database.ensureAuditPartitions();

        assertThat(database.ensureAuditPartitions()).isZero();
        assertThat(database.ensureAuditPartitions()).isZero();
    }

    @Test
    void partitionsExistForThisMonthAndTheNext() {
        String thisMonth = dsl.fetchOne("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')").get(0, String.class);
        String nextMonth = dsl.fetchOne("SELECT to_char((now() AT TIME ZONE 'UTC') + interval '1 month', 'YYYY_MM')")
                .get(0, String.class);

        List<String> partitions = dsl.fetch("SELECT inhrelid::regclass::text FROM pg_inherits"
                + " WHERE inhparent = 'audit_events'::regclass").getValues(0, String.class);

        assertThat(partitions).contains("audit_events_" + thisMonth, "audit_events_" + nextMonth, "audit_events_default");
    }

    @Test
    void anEventWrittenNowLandsInItsMonthsPartitionNotTheDefault() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UUID eventId = UUID.randomUUID();
        dsl.transaction(cfg -> dev.aigov.server.testing.TestEvidence.create().append(cfg.dsl(), new AuditEvent.MutationDenied(
                new AuditEvent.Header(eventId, now, "ws-" + eventId, "database-test", Optional.empty()),
                "aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", "PERMISSION_DENIED", "ERROR_REASON_MISSING_CAPABILITY",
                "workspace.ai_policy.manage")));

        String partition = dsl.fetchOne("SELECT tableoid::regclass::text FROM audit_events WHERE event_id = ?", eventId)
                .get(0, String.class);

        assertThat(partition).isEqualTo("audit_events_" + YearMonth.from(now.atZone(ZoneOffset.UTC)).format(MONTH));
    }

    @Test
    void aPoolOfOneConnectionReopensTheMigratedDatabaseAndKeepsItsData() {
        int policies = dsl.fetchCount(dev.aigov.db.jooq.Tables.WORKSPACE_POLICIES);
        String ownerPassword = EmbeddedCredentials.read(TestDatabase.sharedHome()).ownerPassword();

        try (Database again = Database.over(TestDatabase.sharedUrl(), EmbeddedCredentials.OWNER_ROLE, ownerPassword, 1)) {
            assertThat(again.dsl().fetchCount(dev.aigov.db.jooq.Tables.WORKSPACE_POLICIES)).isGreaterThanOrEqualTo(policies);
            assertThat(again.dsl().fetch("SELECT version FROM flyway_schema_history WHERE success"))
                    .hasSameSizeAs(dsl.fetch("SELECT version FROM flyway_schema_history WHERE success"));
        }
    }
}
