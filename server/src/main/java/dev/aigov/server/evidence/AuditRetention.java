package dev.aigov.server.evidence;

import dev.aigov.evidence.SigningKeys;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the audit trail's monthly partitions past the retention (docs/evidence.md, "Retention"),
 * oldest first, each only after its archive, when there is an archive directory, was written,
 * fsynced and verified. A failure drops nothing, is logged as an ERROR, counted, and retried next
 * round; a later month is never dropped before an earlier one.
 *
 * <p>The archive of month M holds the checkpoints signed from M's start (plus {@link
 * RetentionBoundary#GRACE} when M-1's archive holds those) to M's end plus the grace, each with all its
 * events: a checkpoint signed just after midnight of the 1st that covers the month before is archived
 * whole with that month, and stays in the database (whose copy then lacks the dropped events).
 */
public final class AuditRetention {
    private static final Logger LOG = LoggerFactory.getLogger(AuditRetention.class);

    /** Retention settings. {@code retention} empty: keep everything. */
    public record Config(Optional<Duration> retention, Optional<Path> archiveDir, boolean belowLegalFloor) {
        /** Six months: the legal floor in the EU. */
        public static final Duration LEGAL_FLOOR = Duration.ofDays(183);
        public static final Duration DEFAULT_RETENTION = Duration.ofDays(400);
        public static final Config DEFAULT = new Config(Optional.of(DEFAULT_RETENTION), Optional.empty(), false);
        /** Nothing is ever dropped. */
        public static final Config KEEP_EVERYTHING = new Config(Optional.empty(), Optional.empty(), false);

        public Config {
            retention.ifPresent(r -> {
                if (r.isNegative() || r.isZero()) {
                    throw new IllegalArgumentException("AIGOV_AUDIT_RETENTION must be positive (got " + r.toDays() + " days)");
                }
                if (r.compareTo(LEGAL_FLOOR) < 0 && !belowLegalFloor) {
                    throw new IllegalArgumentException("AIGOV_AUDIT_RETENTION is " + r.toDays() + " days, under the legal floor of "
                            + LEGAL_FLOOR.toDays() + " days (six months in the EU); set AIGOV_AUDIT_RETENTION_BELOW_LEGAL_FLOOR=true "
                            + "if you must, and lower audit_retention_floor in the database as the owner (docs/evidence.md#retention)");
                }
            });
        }

        /** {@code 400d}, {@code 9600h} or {@code off}, as AIGOV_AUDIT_RETENTION takes it. */
        public static Config parse(String retention, String archiveDir, boolean belowLegalFloor) {
            String text = retention == null ? "" : retention.strip();
            Optional<Duration> kept;
            if (text.equalsIgnoreCase("off")) {
                kept = Optional.empty();
            } else if (text.matches("\\d{1,6}d")) {
                kept = Optional.of(Duration.ofDays(Long.parseLong(text.substring(0, text.length() - 1))));
            } else if (text.matches("\\d{1,8}h")) {
                kept = Optional.of(Duration.ofHours(Long.parseLong(text.substring(0, text.length() - 1))));
            } else {
                throw new IllegalArgumentException("AIGOV_AUDIT_RETENTION must be days such as 400d, hours such as 9600h, or off "
                        + "(got '" + retention + "')");
            }
            Optional<Path> dir = archiveDir == null || archiveDir.isBlank() ? Optional.empty() : Optional.of(Path.of(archiveDir.strip()));
            return new Config(kept, dir, belowLegalFloor);
        }

        public String describe() {
            return retention.map(r -> "audit retention " + r.toDays() + " days" + archiveDir.map(d -> ", archived to " + d)
                    .orElse(", no archive")).orElse("audit retention off");
        }
    }

    private final DSLContext dsl;
    private final Clock clock;
    private final Config config;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong monthsDropped = new AtomicLong();
    private volatile Optional<LocalDate> lastArchived = Optional.empty();

    public AuditRetention(DSLContext dsl, Clock clock, Config config) {
        this.dsl = dsl;
        this.clock = clock;
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** One round: archives and drops every month past the retention, oldest first; stops at the first failure. Never throws. */
    public void runOnce() {
        if (config.retention().isEmpty()) {
            return;
        }
        Instant cutoff = clock.instant().minus(config.retention().get());
        try {
            List<LocalDate> months = dsl.fetch("SELECT m FROM audit_months() AS m").getValues(0, LocalDate.class);
            for (LocalDate month : months) {
                if (start(month.plusMonths(1)).isAfter(cutoff)) {
                    break;
                }
                archiveAndDrop(month);
            }
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            LOG.error("Audit retention failed; nothing more is dropped until it succeeds (retried next round): {}", e.getMessage(), e);
        }
    }

    private static Instant start(LocalDate month) {
        return month.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private void archiveAndDrop(LocalDate month) throws IOException {
        String name = month.toString().substring(0, 7);
        Optional<Path> archive = Optional.empty();
        Optional<String> sha256 = Optional.empty();
        if (config.archiveDir().isPresent()) {
            Instant end = start(month.plusMonths(1)).plus(RetentionBoundary.GRACE);
            long uncovered = dsl.resultQuery(
                    "SELECT count(*) FROM audit_events e WHERE e.occurred_at >= ?::timestamptz AND e.occurred_at < ?::timestamptz"
                            + " AND e.chain_id IS NOT NULL AND NOT EXISTS (SELECT FROM audit_checkpoints c WHERE c.chain_id = e.chain_id"
                            + " AND c.seq = e.chain_seq AND c.signed_at < ?::timestamptz)",
                    utc(start(month)), utc(start(month.plusMonths(1))), utc(end))
                    .fetchOne(0, Long.class);
            if (uncovered > 0) {
                throw new IOException("the audit month " + name + " has " + uncovered + " event(s) whose checkpoint was signed more than "
                        + RetentionBoundary.GRACE.toMinutes()
                        + " minutes after the month's end, or is missing: the archive would lack them");
            }
            boolean previousArchived = dsl.fetchExists(dsl.selectOne().from("audit_retention_drops")
                    .where("month = ?", month.minusMonths(1)));
            Instant from = previousArchived ? start(month).plus(RetentionBoundary.GRACE) : start(month);
            Path file = config.archiveDir().get().resolve("audit-" + name + ".jsonl");
            sha256 = Optional.of(write(file, from, end));
            // audit verify --file's own check; each chain's first checkpoint in the archive is its start there.
            VerifyReport verified = TrailVerifier.verifyFile(file, VerifyOptions.of(keys()).withRetention(RetentionBoundary.at(from)));
            if (!verified.clean()) {
                throw new IOException("the archive " + file + " does not verify: " + verified.breaks().get(0));
            }
            KeysFile.write(dsl, config.archiveDir().get().resolve("keys.json"));
            archive = Optional.of(file);
            LOG.info("Archived the audit month {} to {}: {} checkpoints, {} events, {} hidden; verified", name, file,
                    verified.checkpoints(), verified.events(), verified.hiddenEvents());
        }
        Long dropped = dsl
                .resultQuery("SELECT drop_audit_month(?::date, ?, ?)", month, archive.map(Path::toString).orElse(null), sha256.orElse(null))
                .fetchOne(0, Long.class);
        monthsDropped.incrementAndGet();
        archive.ifPresent(a -> lastArchived = Optional.of(month));
        LOG.info("Dropped the audit month {} past the retention ({} days): {} events{}", name, config.retention().orElseThrow().toDays(),
                dropped, archive.map(a -> "; its archive is " + a).orElse("; no archive (AIGOV_AUDIT_ARCHIVE_DIR unset)"));
    }

    /** Writes the archive atomically and durably; returns its SHA-256 (hex). */
    private String write(Path file, Instant from, Instant end) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        com.google.protobuf.util.JsonFormat.Printer printer =
                com.google.protobuf.util.JsonFormat.printer().omittingInsignificantWhitespace();
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            BufferedWriter out = new BufferedWriter(new OutputStreamWriter(new DigestOutputStream(Channels.newOutputStream(channel), sha),
                    StandardCharsets.UTF_8), 1 << 16);
            new AuditExporter(dsl, clock, Duration.ZERO).writeTo(AuditExporter.Selection.all(Optional.of(from), Optional.of(end)),
                    record -> {
                        printer.appendTo(record, out);
                        out.write('\n');
                    });
            out.flush();
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException notOnThisFileSystem) {
            LOG.debug("could not fsync {}: {}", file.getParent(), notOnThisFileSystem.getMessage());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private SigningKeys.KeySet keys() {
        List<SigningKeys.PublicKey> keys = new ArrayList<>();
        for (Record row : dsl.fetch("SELECT public_key FROM signing_keys")) {
            keys.add(SigningKeys.PublicKey.of(row.get(0, byte[].class)));
        }
        return SigningKeys.KeySet.of(keys);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** Rounds that failed (archive, verification or drop); each logged as an ERROR. */
    public long failures() {
        return failures.get();
    }

    public long monthsDropped() {
        return monthsDropped.get();
    }

    /** The last month archived (and then dropped) by this process. */
    public Optional<LocalDate> lastArchived() {
        return lastArchived;
    }

    /** The last month archived per the database (any replica, any run), or empty. */
    public Optional<LocalDate> lastArchivedMonth() {
        return Optional
                .ofNullable(dsl.resultQuery("SELECT max(month) FROM audit_retention_drops WHERE archive IS NOT NULL").fetchOne(0,
                        LocalDate.class));
    }

    /** When the oldest retained event occurred, or empty for an empty trail. */
    public Optional<Instant> oldestRetainedEvent() {
        return Optional.ofNullable(dsl.resultQuery("SELECT min(occurred_at) FROM audit_events").fetchOne(0, OffsetDateTime.class))
                .map(OffsetDateTime::toInstant);
    }

    /** When the newest checkpoint was signed, or empty when none was. */
    public Optional<Instant> newestCheckpoint() {
        return Optional.ofNullable(dsl.resultQuery("SELECT max(signed_at) FROM audit_checkpoints").fetchOne(0, OffsetDateTime.class))
                .map(OffsetDateTime::toInstant);
    }
}
