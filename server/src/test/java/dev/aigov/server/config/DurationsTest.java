package dev.aigov.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.aigov.server.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one duration grammar of every setting and option, as the README's configuration section states it. */
class DurationsTest {

    static Stream<Arguments> accepted() {
        return Stream.of(
                arguments("250ms", Duration.ofMillis(250)),
                arguments("0ms", Duration.ZERO),
                arguments("1s", Duration.ofSeconds(1)),
                arguments("1.5s", Duration.ofMillis(1500)),
                arguments("0.25s", Duration.ofMillis(250)),
                arguments("2.5ms", Duration.ofNanos(2_500_000)),
                arguments("2m", Duration.ofMinutes(2)),
                arguments("1.5m", Duration.ofSeconds(90)),
                arguments("1h", Duration.ofHours(1)),
                arguments("PT1S", Duration.ofSeconds(1)),
                arguments("PT0.25S", Duration.ofMillis(250)),
                arguments("PT1M30S", Duration.ofSeconds(90)),
                arguments("pt2m", Duration.ofMinutes(2)),
                arguments("250MS", Duration.ofMillis(250)),
                arguments(" 1s ", Duration.ofSeconds(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void acceptedDurations(String text, Duration expected) {
        assertThat(Durations.parse("AIGOV_MAX_STALENESS", text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "1", "s", "1 s", "1sec", "1d", "-1s", "+1s", "1.s", ".5s", "1e3ms", "1,5s", "NaNs", "PT-1S",
            "P", "PTS", "1s2ms", "99999999999999999999h"})
    void rejectedDurationsNameTheVariableAndTheAcceptedForms(String text) {
        assertThatThrownBy(() -> Durations.parse("AIGOV_MAX_STALENESS", text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AIGOV_MAX_STALENESS must be a duration such as 250ms, 1.5s, 2m, 1h or PT1S (got '" + text + "')");
    }

    @Test
    void aMissingValueIsNoDuration() {
        assertThat(Durations.tryParse(null)).isEmpty();
    }

    @Test
    void serveRefusesABadMaxStalenessInOneLineNamingTheVariable() {
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setErr(new PrintWriter(err, true)).execute("serve", "--max-staleness", "5 seconds");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo("error: AIGOV_MAX_STALENESS must be a duration such as 250ms, 1.5s, 2m, 1h or PT1S (got '5 seconds')");
    }
}
