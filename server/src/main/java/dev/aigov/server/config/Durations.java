package dev.aigov.server.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way aigov reads a duration from a person (a variable, an option): a non-negative number
 * and a unit, {@code ms}, {@code s}, {@code m} or {@code h} ({@code 250ms}, {@code 1s},
 * {@code 1.5s}, {@code 2m}, {@code 1h}), or an ISO-8601 duration ({@code PT1S}, {@code PT0.25S}).
 * Letters in either case; no space between the number and its unit; surrounding spaces ignored.
 * A fraction finer than a nanosecond is rounded to the nearest one.
 */
public final class Durations {
    /** What the error message offers as examples. */
    public static final String EXAMPLES = "250ms, 1.5s, 2m, 1h or PT1S";

    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private Durations() {
    }

    /**
     * Reads {@code text} as a duration.
     *
     * @param name what the text is the value of (a variable's or an option's name), for the message
     * @throws IllegalArgumentException naming {@code name} when {@code text} is no duration of this grammar
     */
    public static Duration parse(String name, String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException(
                name + " must be a duration such as " + EXAMPLES + " (got '" + text + "')"));
    }

    /** Reads {@code text} as a duration; empty when it is none of this grammar. */
    public static Optional<Duration> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String value = text.strip().toLowerCase(Locale.ROOT);
        if (value.startsWith("p")) {
            try {
                return Optional.of(Duration.parse(value)).filter(duration -> !duration.isNegative());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Matcher matcher = NUMBER_AND_UNIT.matcher(value);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        BigDecimal nanos = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(matcher.group(2))))
                .setScale(0, RoundingMode.HALF_UP);
        try {
            return Optional.of(Duration.ofNanos(nanos.longValueExact()));
        } catch (ArithmeticException tooLong) {
            // Beyond about 292 years: no setting of aigov means that.
            return Optional.empty();
        }
    }
}
