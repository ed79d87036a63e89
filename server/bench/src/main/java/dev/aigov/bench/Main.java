package dev.aigov.bench;

import picocli.CommandLine;

/**
 * {@code java -jar aigov-bench.jar [--target HOST:PORT ... | health ... | propagation ... | report ...]}:
 * the load generator, apart from the server it loads.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // It prints its figures, not the start-up chatter of the database pool `propagation` opens.
        System.setProperty("aigov.log.level", "WARN");
        System.exit(commandLine().execute(args));
    }

    /** The command line, bad input reported as one clear line, as the server's own. */
    static CommandLine commandLine() {
        return dev.aigov.server.Main.commandLine(new BenchCommand());
    }
}
