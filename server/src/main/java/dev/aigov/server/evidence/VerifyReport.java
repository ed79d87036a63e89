package dev.aigov.server.evidence;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a verification found.
 *
 * @param source        what was verified (the database's description, or the export file)
 * @param keysFromTrail whether the keys came from the trail itself (signing_keys), which proves only self-consistency
 * @param chains        chains walked
 * @param checkpoints   checkpoints that verified
 * @param events        events (leaves) that verified, hidden ones included
 * @param hiddenEvents  of those, events an export showed by their leaf hash alone
 * @param unchained     events with no chain place: recorded before evidence began (not a failure)
 * @param breaks        the first break of each broken chain
 * @param elapsed       how long it took
 */
public record VerifyReport(String source, boolean keysFromTrail, long chains, long checkpoints, long events, long hiddenEvents,
        long unchained, List<Break> breaks, Duration elapsed) {
    /** Exit code: every chain verifies. */
    public static final int CLEAN = 0;
    /** Exit code: some chain has a break. */
    public static final int BROKEN = 1;

    public VerifyReport {
        breaks = List.copyOf(breaks);
    }

    public boolean clean() {
        return breaks.isEmpty();
    }

    public int exitCode() {
        return clean() ? CLEAN : BROKEN;
    }

    /** Events verified per second. */
    public long eventsPerSecond() {
        long micros = Math.max(1, elapsed.toNanos() / 1000);
        return events * 1_000_000 / micros;
    }

    /** The report as lines for a person. */
    public void print(PrintWriter out) {
        out.println("Verified " + source + ":");
        out.println("  chains: " + chains);
        out.println("  checkpoints checked: " + checkpoints);
        out.println("  events checked: " + events + (hiddenEvents > 0 ? " (" + hiddenEvents + " of them by leaf hash alone)" : ""));
        out.println("  unchained events (recorded before evidence began): " + unchained);
        out.println("  breaks: " + breaks.size());
        for (Break found : breaks) {
            out.println("  BREAK " + found);
        }
        out.println("  speed: " + events + " events in " + String.format(Locale.ROOT, "%.3f", elapsed.toNanos() / 1e9) + " s ("
                + eventsPerSecond() + " events/s)");
        out.println(clean() ? "OK: every chain verifies" + (keysFromTrail ? " (against the trail's own keys)" : "")
                : "FAILED: " + breaks.size() + " of " + chains + " chains broken");
        out.flush();
    }

    /** The report as one JSON object. */
    public String toJson() {
        ListValue.Builder found = ListValue.newBuilder();
        for (Break each : breaks) {
            found.addValues(Value.newBuilder().setStructValue(Struct.newBuilder()
                    .putFields("chain_id", text(each.chain().toString()))
                    .putFields("seq", number(each.seq()))
                    .putFields("message", text(each.message()))));
        }
        Struct report = Struct.newBuilder()
                .putFields("source", text(source))
                .putFields("ok", Value.newBuilder().setBoolValue(clean()).build())
                .putFields("keys_from_trail", Value.newBuilder().setBoolValue(keysFromTrail).build())
                .putFields("chains", number(chains))
                .putFields("checkpoints_checked", number(checkpoints))
                .putFields("events_checked", number(events))
                .putFields("hidden_events", number(hiddenEvents))
                .putFields("unchained_events", number(unchained))
                .putFields("breaks", Value.newBuilder().setListValue(found).build())
                .putFields("elapsed_seconds", Value.newBuilder().setNumberValue(elapsed.toNanos() / 1e9).build())
                .putFields("events_per_second", number(eventsPerSecond()))
                .build();
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(report);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a Struct always prints", e);
        }
    }

    private static Value text(String value) {
        return Value.newBuilder().setStringValue(value).build();
    }

    private static Value number(long value) {
        return Value.newBuilder().setNumberValue(value).build();
    }
}
