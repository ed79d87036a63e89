package dev.aigov.server.cli;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.catalog.InvalidFile;
import dev.aigov.catalog.LoadedCatalog;
import dev.aigov.catalog.Problem;
import dev.aigov.core.Vocabulary;
import dev.aigov.server.config.Durations;
import dev.aigov.server.preview.Candidate;
import dev.aigov.server.preview.ChangePreviews;
import dev.aigov.server.preview.Preview;
import dev.aigov.server.storage.Database;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code preview --catalog FILE [--since T]}: the recorded decisions of a window (every workspace, the
 * state as recorded) replayed against a candidate catalog, and the flips reported as
 * PreviewWorkspacePolicyChange reports them. Reads only; writes nothing, not even an audit event
 * (it is no caller of the API). Exit 0 when no recorded decision would flip, 3 when some would, 1 when
 * the catalog file is invalid, 2 on any other error (a bad option, the database unreachable).
 */
@Command(name = "preview", mixinStandardHelpOptions = true,
        description = "Replay the recorded decisions against a candidate catalog and report which would flip (docs/operations.md"
                + "#preview-a-change). Exit 0: none flips; 3: some flip; 1: invalid catalog; 2: other errors.")
public final class PreviewCommand implements Callable<Integer> {
    /** The exit code of a preview in which some recorded decisions flip. */
    public static final int FLIPS = 3;

    @Option(names = "--catalog", required = true, paramLabel = "FILE", description = "The candidate catalog file (docs/catalog.md).")
    Path catalog;

    @Option(names = "--since", paramLabel = "T",
            description = "The window's start: an ISO-8601 instant (2026-12-01T00:00:00Z) or a duration back from now ("
                    + Durations.EXAMPLES + "). Default: 24h.")
    String since;

    @Option(names = "--max-decisions", defaultValue = "" + ChangePreviews.DEFAULT_MAX_DECISIONS,
            description = "Replay at most this many decisions, oldest first (default ${DEFAULT-VALUE}).")
    long maxDecisions;

    @Mixin
    DatabaseOptions database;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LoadedCatalog candidate;
        try {
            candidate = CatalogFile.load(catalog);
        } catch (InvalidFile invalid) {
            PrintWriter err = spec.commandLine().getErr();
            for (Problem problem : invalid.problems()) {
                err.println(problem);
            }
            err.flush();
            return CatalogCommand.FAILED;
        }
        Clock clock = Clock.systemUTC();
        Optional<Instant> start = since(clock);
        Preview preview;
        try (Database opened = Database.open(database.toConfig(), Database.EmbeddedUse.JOIN_OR_START)) {
            // It replays the trail and records nothing: an audit log that would be a bug to call.
            ChangePreviews previews = new ChangePreviews(opened.dsl(), candidate::catalog, clock, maxDecisions, (tx, event) -> {
                throw new IllegalStateException("preview --catalog records no audit event");
            });
            preview = previews.replay(new Candidate.AsRecorded(), candidate.catalog(), previews.window(start), Optional.empty());
        }
        print(spec.commandLine().getOut(), candidate, preview);
        return preview.allowToBlock() + preview.blockToAllow() == 0 ? 0 : FLIPS;
    }

    private Optional<Instant> since(Clock clock) {
        if (since == null || since.isBlank()) {
            return Optional.empty();
        }
        Optional<Duration> ago = Durations.tryParse(since);
        if (ago.isPresent()) {
            return Optional.of(clock.instant().minus(ago.get()));
        }
        try {
            return Optional.of(Instant.parse(since.strip()));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--since must be an ISO-8601 instant such as 2026-12-01T00:00:00Z or a duration ("
                    + Durations.EXAMPLES + "); got '" + since + "'");
        }
    }

    static void print(PrintWriter out, LoadedCatalog candidate, Preview preview) {
        out.println("Preview of " + candidate.describe() + " against the decisions recorded from " + preview.windowStart()
                + " to " + preview.windowEnd() + (preview.cutShort()
                        ? " (cut short at " + preview.maxDecisions() + " decisions: replayed through "
                                + preview.replayedThrough().map(Instant::toString).orElse("-") + ")"
                        : "")
                + ":");
        out.println("  decisions replayed: " + preview.replayed());
        out.println("  ALLOW -> BLOCK: " + preview.allowToBlock());
        out.println("  BLOCK -> ALLOW: " + preview.blockToAllow());
        for (Preview.Bucket bucket : preview.buckets()) {
            out.println("  " + bucket.count() + " " + bucket.useCase() + " surface=" + (bucket.callerSurface().isEmpty() ? "-"
                    : bucket.callerSurface()) + " now " + Vocabulary.word(bucket.newOutcome())
                    + bucket.newReason().map(reason -> " (" + reason.word() + ")").orElse("")
                    + " e.g. " + bucket.sampleDecisionIds().stream().map(UUID::toString).collect(Collectors.joining(" ")));
        }
        if (preview.unbucketedFlips() > 0) {
            out.println("  " + preview.unbucketedFlips() + " more flips, of combinations past the first 1000");
        }
        out.flush();
    }
}
