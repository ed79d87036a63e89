package dev.aigov.server.cli;

import dev.aigov.evidence.SigningKeys;
import dev.aigov.server.config.Durations;
import dev.aigov.server.evidence.KeysFile;
import dev.aigov.server.evidence.RetentionBoundary;
import dev.aigov.server.evidence.TrailVerifier;
import dev.aigov.server.evidence.TrustedHeads;
import dev.aigov.server.evidence.VerifyOptions;
import dev.aigov.server.evidence.VerifyReport;
import dev.aigov.server.storage.Database;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code audit verify}: walks every chain of the trail (the database, or an export file offline) and
 * reports the checkpoints and events checked, the first break of each chain, and its speed. Reads
 * only. Exit 0 when everything verifies, 1 on any break, 2 on a usage error.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify the audit trail's chains, signatures and Merkle roots (docs/evidence.md#verifying). Exit 0: it "
                + "verifies; 1: a break was found; 2: a usage error (a bad option, an unreadable file, no database).")
public final class AuditVerifyCommand implements Callable<Integer> {
    /** Exit code of a usage error. */
    public static final int USAGE = 2;

    @Option(names = "--since", paramLabel = "T", description = "Only checkpoints signed at or after T: an ISO-8601 instant "
            + "(2026-12-01T00:00:00Z) or a duration back from now (" + Durations.EXAMPLES + "). Each chain's first one is then "
            + "accepted without its predecessor.")
    String since;

    @Option(names = "--until", paramLabel = "T", description = "Only checkpoints signed before T (as --since).")
    String until;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoints kept outside the database: JSON Lines with a "
            + "\"checkpoint\" object holding a \"note\" (an export, AIGOV_CHECKPOINT_DIR/checkpoints.jsonl), or one signed note. "
            + "Each chain's latest is its trusted head, which the trail must hold and reach.")
    Path checkpointFile;

    @Option(names = "--file", paramLabel = "FILE", description = "Verify this export file (JSON Lines) offline, with no database; "
            + "needs --keys.")
    Path exportFile;

    @Option(names = "--keys", paramLabel = "FILE", description = "The trusted public keys, keys.json ({\"keys\":[{\"key_id\","
            + "\"algorithm\":\"ed25519\",\"public_key\":\"<base64>\"}]}). Without it, the database's signing_keys (which proves only "
            + "that the trail agrees with itself).")
    Path keysFile;

    @Option(names = "--chain", paramLabel = "UUID", description = "Verify only this chain (repeatable). Default: every chain.")
    List<UUID> chains = List.of();

    @Option(names = "--retained-from", paramLabel = "T", description = "Retention dropped the checkpoints signed before T: chains "
            + "may start after seq 0 there (an ISO-8601 instant). Default: nothing was dropped.")
    Instant retainedFrom;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Mixin
    DatabaseOptions database;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Clock clock = Clock.systemUTC();
        Optional<Instant> from = instant("--since", since, clock);
        Optional<Instant> to = instant("--until", until, clock);
        if (from.isPresent() && to.isPresent() && !to.get().isAfter(from.get())) {
            throw new IllegalArgumentException("--until must be after --since");
        }
        readable("--file", exportFile);
        readable("--keys", keysFile);
        readable("--checkpoint", checkpointFile);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        VerifyReport report;
        if (exportFile != null) {
            if (keysFile == null) {
                throw new IllegalArgumentException("--file needs --keys: an export holds no keys a verifier may trust");
            }
            SigningKeys.KeySet keys = KeysFile.read(keysFile);
            report = TrailVerifier.verifyFile(exportFile, options(keys, from, to, RetentionBoundary.NONE));
        } else {
            try (Database opened = Database.open(database.toConfig(), Database.EmbeddedUse.JOIN_OR_START)) {
                boolean keysFromTrail = keysFile == null;
                SigningKeys.KeySet keys = keysFromTrail ? KeysFile.fromDatabase(opened.dsl()) : KeysFile.read(keysFile);
                if (keysFromTrail) {
                    err.println("warning: the keys were read from the database's signing_keys: they prove only that the trail agrees "
                            + "with itself; pass --keys keys.json from outside it");
                    err.flush();
                }
                // Where retention cut the trail, as its drops recorded it (or --retained-from).
                report = TrailVerifier.verifyDatabase(opened.dsl(), options(keys, from, to, RetentionBoundary.fromDrops(opened.dsl())),
                        opened.description(), keysFromTrail);
            }
        }
        if (json) {
            out.println(report.toJson());
            out.flush();
        } else {
            report.print(out);
        }
        return report.exitCode();
    }

    private VerifyOptions options(SigningKeys.KeySet keys, Optional<Instant> from, Optional<Instant> to, RetentionBoundary recorded)
            throws IOException {
        Map<UUID, TrustedHeads.Head> heads = checkpointFile == null ? Map.of() : TrustedHeads.read(checkpointFile, keys);
        return VerifyOptions.of(keys).withRange(from, to).withChains(Set.copyOf(chains)).withTrustedHeads(heads)
                .withRetention(retainedFrom == null ? recorded : RetentionBoundary.at(retainedFrom));
    }

    private static void readable(String flag, Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException(flag + " " + file + ": no such readable file");
        }
    }

    static Optional<Instant> instant(String flag, String text, Clock clock) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        Optional<Duration> ago = Durations.tryParse(text);
        if (ago.isPresent()) {
            return Optional.of(clock.instant().minus(ago.get()));
        }
        try {
            return Optional.of(Instant.parse(text.strip()));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(flag + " must be an ISO-8601 instant such as 2026-12-01T00:00:00Z or a duration ("
                    + Durations.EXAMPLES + "); got '" + text + "'", e);
        }
    }
}
