package dev.aigov.server.cli;

import com.google.protobuf.util.JsonFormat;
import dev.aigov.api.v1.ExportAuditEventsResponse;
import dev.aigov.server.config.Durations;
import dev.aigov.server.evidence.AuditExporter;
import dev.aigov.server.evidence.KeysFile;
import dev.aigov.server.storage.Database;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code audit export [--since T] [--until T] [--output FILE] [--keys-output FILE]}: the trail as JSON
 * Lines (docs/evidence.md, "Export files"), read from the database directly, every workspace. Streams:
 * memory stays bounded whatever the trail's size. A progress line on stderr when it is a terminal.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write the audit trail's checkpoints and events as JSON Lines (docs/evidence.md#export-files-json-lines).")
public final class AuditExportCommand implements Callable<Integer> {
    @Option(names = "--since", paramLabel = "T", description = "Checkpoints signed at or after T: an ISO-8601 instant "
            + "(2026-12-01T00:00:00Z) or a duration back from now (" + Durations.EXAMPLES + "). Default: the beginning.")
    String since;

    @Option(names = "--until", paramLabel = "T", description = "Checkpoints signed before T (as --since). Default: now.")
    String until;

    @Option(names = "--after", paramLabel = "CURSOR", description = "Resume after the checkpoint whose cursor this is "
            + "(the last checkpoint line's \"cursor\" of an export with the same --since and --until).")
    String after;

    @Option(names = "--format", defaultValue = "jsonl", description = "jsonl (the only format; default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"--output", "-o"}, paramLabel = "FILE", description = "Write to FILE (made or replaced) instead of stdout.")
    Path output;

    @Option(names = "--keys-output", paramLabel = "FILE",
            description = "Also write the published signing keys to FILE as keys.json, for `audit verify --keys`.")
    Path keysOutput;

    @Mixin
    DatabaseOptions database;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!format.strip().toLowerCase(Locale.ROOT).equals("jsonl")) {
            throw new IllegalArgumentException("--format must be jsonl (got '" + format + "')");
        }
        Clock clock = Clock.systemUTC();
        Optional<Instant> start = AuditVerifyCommand.instant("--since", since, clock);
        Optional<Instant> end = AuditVerifyCommand.instant("--until", until, clock);
        if (start.isPresent() && end.isPresent() && !end.get().isAfter(start.get())) {
            throw new IllegalArgumentException("--until must be after --since (" + start.get() + ")");
        }
        AuditExporter.Selection selection = new AuditExporter.Selection(AuditExporter.DATABASE_READER, Optional.empty(), start, end,
                after);
        PrintWriter err = spec.commandLine().getErr();
        try (Database opened = Database.open(database.toConfig(), Database.EmbeddedUse.JOIN_OR_START)) {
            AuditExporter exporter = new AuditExporter(opened.dsl(), clock);
            long started = System.nanoTime();
            Progress progress = new Progress(System.console() != null ? Optional.of(err) : Optional.empty(), started);
            AuditExporter.Totals totals;
            if (output == null) {
                BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
                totals = write(exporter, selection, out, progress);
                out.flush();
            } else {
                try (FileChannel channel = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    OutputStream stream = Channels.newOutputStream(channel);
                    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
                    totals = write(exporter, selection, out, progress);
                    out.flush();
                    channel.force(true);
                }
            }
            if (keysOutput != null) {
                KeysFile.write(opened.dsl(), keysOutput);
            }
            double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
            progress.clear();
            err.printf(Locale.ROOT, "Exported %,d checkpoints and %,d events%s in %.1f s (%,.0f events/s)%s%n", totals.checkpoints(),
                    totals.events(), output == null ? "" : " to " + output, seconds, totals.events() / seconds,
                    keysOutput == null ? "" : "; keys in " + keysOutput);
            err.flush();
        }
        return 0;
    }

    private static AuditExporter.Totals write(AuditExporter exporter, AuditExporter.Selection selection, BufferedWriter out,
            Progress progress) throws IOException {
        JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
        long[] counts = new long[2];
        AuditExporter.Totals totals = exporter.writeTo(selection, record -> {
            printer.appendTo(record, out);
            out.write('\n');
            counts[record.getRecordCase() == ExportAuditEventsResponse.RecordCase.CHECKPOINT ? 0 : 1]++;
            progress.maybeShow(counts[0], counts[1]);
        });
        return totals;
    }

    /** One line on the terminal, rewritten at most every half second. */
    private static final class Progress {
        private final Optional<PrintWriter> terminal;
        private final long started;
        private long shown;

        Progress(Optional<PrintWriter> terminal, long started) {
            this.terminal = terminal;
            this.started = started;
            this.shown = started;
        }

        void maybeShow(long checkpoints, long events) {
            if (terminal.isEmpty() || (events & 1023) != 0) {
                return;
            }
            long now = System.nanoTime();
            if (now - shown < 500_000_000L) {
                return;
            }
            shown = now;
            double seconds = (now - started) / 1e9;
            terminal.get().printf(Locale.ROOT, "\rexporting: %,d checkpoints, %,d events, %,.0f events/s   ", checkpoints, events,
                    events / seconds);
            terminal.get().flush();
        }

        void clear() {
            terminal.ifPresent(err -> {
                err.print("\r" + " ".repeat(78) + "\r");
                err.flush();
            });
        }
    }

}
