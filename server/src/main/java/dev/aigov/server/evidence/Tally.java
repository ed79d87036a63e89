package dev.aigov.server.evidence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A verification's running counts, one chain after another. */
final class Tally {
    private final long startNanos = System.nanoTime();
    private final List<Break> breaks = new ArrayList<>();
    private long chains;
    private long checkpoints;
    private long events;
    long hiddenEvents;
    long unchained;

    void add(ChainCheck chain) {
        chains++;
        checkpoints += chain.checkpoints();
        events += chain.events();
        chain.found().ifPresent(breaks::add);
    }

    VerifyReport report(String source, boolean keysFromTrail) {
        return new VerifyReport(source, keysFromTrail, chains, checkpoints, events, hiddenEvents, unchained, breaks,
                Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
