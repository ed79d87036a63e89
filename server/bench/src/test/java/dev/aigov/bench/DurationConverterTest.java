package dev.aigov.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The load generator's duration options read the server's one grammar, and a bad value names its option. */
class DurationConverterTest {

    @Command(name = "timed")
    static final class Timed implements Runnable {
        @Option(names = "--wait", converter = DurationConverter.class)
        Duration wait;

        @Override
        public void run() {
        }
    }

    @Test
    void readsTheServersGrammar() {
        Timed timed = new Timed();
        new CommandLine(timed).parseArgs("--wait", "1.5s");

        assertThat(timed.wait).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aBadValueNamesItsOptionAndTheAcceptedForms() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Timed()).setErr(new PrintWriter(err, true)).execute("--wait", "5 seconds");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--wait': '5 seconds' is not a duration such as "
                + "250ms, 1.5s, 2m, 1h or PT1S");
    }
}
