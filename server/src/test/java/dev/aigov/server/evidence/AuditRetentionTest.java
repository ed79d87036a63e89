package dev.aigov.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.evidence.SigningKeys;
import dev.aigov.server.storage.Database;
import dev.aigov.server.storage.EmbeddedCredentials;
import dev.aigov.server.testing.EvidenceChains;
import dev.aigov.server.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on the shared database, with a fake clock: old months' partitions (made here as the
 * owner, in 2023, which no other test writes) are archived, verified and dropped; none is dropped
 * when the archive fails; and the database's own floor refuses a month within six months of now().
 */
class AuditRetentionTest {
    private final Database database = TestDatabase.shared();

    private static void createMonth(String month) throws SQLException {
        LocalDate start = LocalDate.parse(month + "-01");
        String suffix = month.replace('-', '_');
        try (Connection owner = TestDatabase.sharedConnectionAs(EmbeddedCredentials.OWNER_ROLE); Statement sql = owner.createStatement()) {
            sql.execute("CREATE TABLE IF NOT EXISTS audit_events_" + suffix + " PARTITION OF audit_events FOR VALUES FROM ('" + start
                    + " 00:00+00') TO ('" + start.plusMonths(1) + " 00:00+00')");
            sql.execute("CREATE TABLE IF NOT EXISTS audit_checkpoints_" + suffix + " PARTITION OF audit_checkpoints FOR VALUES FROM ('"
                    + start + " 00:00+00') TO ('" + start.plusMonths(1) + " 00:00+00')");
        }
    }

    private boolean exists(String table) {
        return database.dsl().resultQuery("SELECT to_regclass(?) IS NOT NULL", "public." + table).fetchOne(0, Boolean.class);
    }

    private long count(String sql, Object... bindings) {
        return database.dsl().resultQuery(sql, bindings).fetchOne(0, Long.class);
    }

    private static EvidenceChains.Batch batch(Instant signedAt, Instant... events) {
        List<Map<String, Object>> columns = new ArrayList<>();
        for (Instant at : events) {
            columns.add(EvidenceChains.decision("ws-retention", at));
        }
        return new EvidenceChains.Batch(signedAt, columns);
    }

    private static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    private static AuditRetention.Config keep183Days(Optional<Path> archive) {
        return new AuditRetention.Config(Optional.of(Duration.ofDays(183)), archive, false);
    }

    @Test
    void monthsPastTheRetentionAreArchivedVerifiedAndDroppedAndTheChainStillVerifiesFromTheFirstRetainedCheckpoint(@TempDir Path dir)
            throws Exception {
        createMonth("2023-05");
        createMonth("2023-06");
        UUID chain = UUID.randomUUID();
        List<SignedCheckpoint> written = EvidenceChains.write(database.dataSource(), chain, List.of(
                batch(Instant.parse("2023-05-03T10:00:00Z"), Instant.parse("2023-05-03T09:59:59Z"),
                        Instant.parse("2023-05-03T09:59:59.5Z")),
                batch(Instant.parse("2023-05-20T10:00:00Z"), Instant.parse("2023-05-20T09:59:59Z")),
                // Signed just after midnight of the 1st: partitioned in June, it covers an event of May.
                batch(Instant.parse("2023-06-01T00:00:00.200Z"), Instant.parse("2023-05-31T23:59:59.900Z"),
                        Instant.parse("2023-06-01T00:00:00.100Z")),
                batch(Instant.parse("2023-06-15T10:00:00Z"), Instant.parse("2023-06-15T09:59:59Z")),
                // July stays: past the fake clock's cutoff only for May and June.
                batch(Instant.parse("2023-07-01T00:00:00.300Z"), Instant.parse("2023-06-30T23:59:59.950Z"))));
        assertThat(count("SELECT count(*) FROM audit_events WHERE occurred_at >= '2023-05-01Z' AND occurred_at < '2023-06-01Z'"))
                .isEqualTo(4);

        AuditRetention retention = new AuditRetention(database.dsl(), at("2024-01-15T00:00:00Z"), keep183Days(Optional.of(dir)));
        retention.runOnce();

        assertThat(retention.failures()).isZero();
        assertThat(exists("audit_events_2023_05")).isFalse();
        assertThat(exists("audit_checkpoints_2023_05")).isFalse();
        assertThat(exists("audit_events_2023_06")).isFalse();
        assertThat(exists("audit_checkpoints_2023_06")).isFalse();
        assertThat(retention.lastArchived()).contains(LocalDate.parse("2023-06-01"));
        assertThat(retention.lastArchivedMonth()).hasValueSatisfying(m -> assertThat(m).isAfterOrEqualTo(LocalDate.parse("2023-06-01")));

        SigningKeys.KeySet keys = KeysFile.read(dir.resolve("keys.json"));
        Path may = dir.resolve("audit-2023-05.jsonl");
        Path june = dir.resolve("audit-2023-06.jsonl");
        ExportVerifier.Result mayResult = ExportVerifier.verifyFile(may, keys);
        assertThat(mayResult.problem()).isEmpty();
        // May's two checkpoints and the one signed at 00:00:00.200 on June 1st, whole: 5 events.
        assertThat(Files.readString(may)).contains(written.get(2).note().replace("\n", "\\n").substring(0, 40));
        assertThat(mayResult.checkpoints()).isEqualTo(3);
        assertThat(mayResult.events()).isEqualTo(5);
        ExportVerifier.Result juneResult = ExportVerifier.verifyFile(june, keys);
        assertThat(juneResult.problem()).isEmpty();
        assertThat(juneResult.checkpoints()).as("June's own checkpoint, and July 1st's that covers June 30th").isEqualTo(2);

        // Each drop is recorded with its archive's SHA-256.
        String sha = database.dsl().resultQuery("SELECT archive_sha256 FROM audit_retention_drops WHERE month = DATE '2023-05-01'")
                .fetchOne(0, String.class);
        assertThat(sha).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(may))));
        assertThat(count("SELECT events FROM audit_retention_drops WHERE month = DATE '2023-05-01'")).isEqualTo(4);
        assertThat(RetentionBoundary.fromDrops(database.dsl()).retainedFrom()).hasValueSatisfying(
                from -> assertThat(from).isAfterOrEqualTo(Instant.parse("2023-07-01T00:00:00Z")));
        // July's checkpoint is retained: the chain now begins at seq 4, within the grace of retainedFrom.
        assertThat(count("SELECT count(*) FROM audit_checkpoints WHERE chain_id = ?", chain)).isEqualTo(1);
        assertThat(count("SELECT min(seq) FROM audit_checkpoints WHERE chain_id = ?", chain)).isEqualTo(4);
        // The drops table is append-only, even to the owner.
        try (Connection owner = TestDatabase.sharedConnectionAs(EmbeddedCredentials.OWNER_ROLE); Statement sql = owner.createStatement()) {
            assertThatThrownBy(() -> sql.execute("DELETE FROM audit_retention_drops")).hasMessageContaining("append-only");
        }
    }

    @Test
    void nothingIsDroppedWhenTheArchiveCannotBeWritten(@TempDir Path dir) throws Exception {
        createMonth("2023-02");
        EvidenceChains.write(database.dataSource(), UUID.randomUUID(),
                List.of(batch(Instant.parse("2023-02-10T10:00:00Z"), Instant.parse("2023-02-10T09:59:59Z"))));
        Path notADirectory = Files.writeString(dir.resolve("a-file"), "not a directory");

        AuditRetention retention = new AuditRetention(database.dsl(), at("2023-09-01T00:00:00Z"),
                keep183Days(Optional.of(notADirectory)));
        retention.runOnce();

        assertThat(retention.failures()).isEqualTo(1);
        assertThat(retention.monthsDropped()).isZero();
        assertThat(exists("audit_events_2023_02")).isTrue();
        assertThat(exists("audit_checkpoints_2023_02")).isTrue();
        assertThat(count("SELECT count(*) FROM audit_events WHERE occurred_at >= '2023-02-01Z' AND occurred_at < '2023-03-01Z'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_retention_drops WHERE month = DATE '2023-02-01'")).isZero();
    }

    @Test
    void withoutAnArchiveDirectoryAMonthPastTheRetentionIsDroppedAndRecordedWithoutAnArchive() throws Exception {
        createMonth("2023-01");
        EvidenceChains.write(database.dataSource(), UUID.randomUUID(),
                List.of(batch(Instant.parse("2023-01-10T10:00:00Z"), Instant.parse("2023-01-10T09:59:59Z"))));

        AuditRetention retention = new AuditRetention(database.dsl(), at("2023-08-05T00:00:00Z"), keep183Days(Optional.empty()));
        retention.runOnce();

        assertThat(retention.failures()).isZero();
        assertThat(exists("audit_events_2023_01")).isFalse();
        assertThat(count("SELECT count(*) FROM audit_retention_drops WHERE month = DATE '2023-01-01' AND archive IS NULL")).isEqualTo(1);
    }

    @Test
    void theDatabaseRefusesToDropAMonthWithinTheFloorWhateverTheCallerSays() {
        LocalDate lastMonth = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).minusMonths(1);
        assertThatThrownBy(() -> database.dsl().resultQuery("SELECT drop_audit_month(?::date, NULL, NULL)", lastMonth).fetch())
                .hasMessageContaining("retention floor");
        String current = "audit_events_" + LocalDate.now(ZoneOffset.UTC).toString().substring(0, 7).replace('-', '_');
        assertThatThrownBy(() -> database.dsl().resultQuery("SELECT drop_audit_month(?::date, NULL, NULL)",
                LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1)).fetch()).hasMessageContaining("retention floor");
        assertThat(exists(current)).isTrue();
        // The runtime role can neither read nor lower the floor.
        assertThatThrownBy(() -> database.dsl().execute("UPDATE audit_retention_floor SET keep_at_least = interval '1 day'"))
                .hasMessageContaining("permission denied");
    }

    @Test
    void aRetentionUnderSixMonthsIsRefusedWithoutTheOverride() {
        assertThatThrownBy(() -> AuditRetention.Config.parse("90d", "", false)).hasMessageContaining("AIGOV_AUDIT_RETENTION")
                .hasMessageContaining("AIGOV_AUDIT_RETENTION_BELOW_LEGAL_FLOOR");
        assertThat(AuditRetention.Config.parse("90d", "", true).retention()).contains(Duration.ofDays(90));
        assertThat(AuditRetention.Config.parse("400d", "", false).retention()).contains(Duration.ofDays(400));
        assertThat(AuditRetention.Config.parse("off", "", false).retention()).isEmpty();
        assertThatThrownBy(() -> AuditRetention.Config.parse("a year", "", false)).hasMessageContaining("AIGOV_AUDIT_RETENTION must be");
    }
}
