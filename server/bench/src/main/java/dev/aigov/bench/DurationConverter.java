package dev.aigov.bench;

import dev.aigov.server.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** An option's duration, in the server's one grammar ({@link Durations}); picocli names the option in the error. */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return Durations.tryParse(value).orElseThrow(() -> new TypeConversionException(
                "'" + value + "' is not a duration such as " + Durations.EXAMPLES));
    }
}
