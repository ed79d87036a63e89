package dev.aigov.server;

import dev.aigov.core.InvalidRequest;
import dev.aigov.server.cli.AuditCommand;
import dev.aigov.server.cli.CatalogCommand;
import dev.aigov.server.cli.MigrateCommand;
import dev.aigov.server.cli.PreviewCommand;
import dev.aigov.server.cli.ServeCommand;
import dev.aigov.server.cli.TokenCommand;
import dev.aigov.server.error.Causes;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar aigov-server.jar [serve|token ...|migrate|catalog ...|preview ...]}: serving is the default. */
@Command(name = "aigov-server", mixinStandardHelpOptions = true, version = "aigov 0.1.0",
        description = "The governed-AI decision service.",
        subcommands = {ServeCommand.class, TokenCommand.class, MigrateCommand.class, CatalogCommand.class, PreviewCommand.class,
                AuditCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    /** text (the default) or json: one JSON object per log line. */
    public static final String LOG_FORMAT_VARIABLE = "AIGOV_LOG_FORMAT";

    public static void main(String[] args) {
        boolean serving = args.length == 0 || args[0].equals("serve") || (args[0].startsWith("-")
                && !Arrays.asList("-h", "--help", "-V", "--version").contains(args[0]));
        // The token, migrate and catalog commands print their answer, not the database's start-up chatter.
        System.setProperty("aigov.log.level", serving ? "INFO" : "WARN");
        // Read before the first log line: logback's configuration picks its appender by it.
        String logFormat = Optional.ofNullable(System.getenv(LOG_FORMAT_VARIABLE)).map(String::strip).filter(f -> !f.isEmpty())
                .orElse("text").toLowerCase(Locale.ROOT);
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            System.err
                    .println("error: " + LOG_FORMAT_VARIABLE + " must be text or json (got '" + System.getenv(LOG_FORMAT_VARIABLE) + "')");
            System.exit(2);
        }
        System.setProperty("aigov.log.format", logFormat);
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        String[] command = serving && (args.length == 0 || !args[0].equals("serve")) ? prepend("serve", args) : args;
        System.exit(commandLine().execute(command));
    }

    /** The command line, with bad input reported as one clear line instead of a stack trace. */
    public static CommandLine commandLine() {
        return commandLine(new Main());
    }

    /** Another top-level command's (the load generator's), its failures reported as {@link #commandLine()} reports them. */
    public static CommandLine commandLine(Object command) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setExecutionExceptionHandler((failure, cmd, parsed) -> {
            // One line an operator can act on; the stack trace only when asked for (AIGOV_DEBUG=1).
            String message = failure instanceof InvalidRequest || failure instanceof IllegalArgumentException
                    || failure instanceof IllegalStateException ? failure.getMessage()
                            : failure.getMessage() + " (" + Causes.rootMessage(failure) + ")";
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + message));
            if (System.getenv("AIGOV_DEBUG") != null) {
                failure.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        return commandLine;
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
