package dev.aigov.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aigov.server.Main;
import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.config.Durations;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * docs/configuration.md's table is the server's configuration: one row for every variable the
 * server reads, with the default its {@code serve} option has; and the README and docs name no
 * variable the server does not read (a misspelt or retired name is a setting nobody gets).
 */
class ConfigurationDocTest {
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:(AIGOV_[A-Z0-9_]+)(?::-(.*))?}");
    private static final Pattern AIGOV_NAME = Pattern.compile("AIGOV_[A-Z0-9_]*");
    /** Read by Main for every command (a failure's stack trace), not a setting of serve. */
    private static final String DEBUG_VARIABLE = "AIGOV_DEBUG";
    private static final String NO_DEFAULT = "(none)";

    private static final Path CONFIGURATION = RepositoryFiles.root().resolve("docs/configuration.md");

    @Test
    void theTableHasOneRowForEveryVariableTheServerReads() {
        List<String> rows = tableRows().stream().map(row -> row.get(0)).toList();
        assertThat(rows).as("variables in docs/configuration.md's table").doesNotHaveDuplicates();
        Set<String> expected = new TreeSet<>(ServeCommand.environmentVariables());
        expected.add(DEBUG_VARIABLE);
        assertThat(new TreeSet<>(rows)).as("variables in docs/configuration.md's table").isEqualTo(expected);
    }

    @Test
    void everyDefaultInTheTableIsTheOptionsDefault() {
        Map<String, String> documented = new LinkedHashMap<>();
        tableRows().forEach(row -> documented.put(row.get(0), row.get(1)));
        Map<String, String> defaults = optionDefaults();
        assertThat(defaults).as("serve's options that read a variable").hasSizeGreaterThan(20);
        defaults.forEach((variable, value) -> assertThat(documented.get(variable))
                .as("default of %s in docs/configuration.md", variable)
                .isEqualTo(value.isEmpty() ? NO_DEFAULT : value));
    }

    @Test
    void theReadmeAndDocsNameOnlyVariablesTheServerReads() throws IOException {
        Set<String> known = new TreeSet<>(ServeCommand.environmentVariables());
        known.add(DEBUG_VARIABLE);
        List<Path> files = new ArrayList<>(List.of(RepositoryFiles.root().resolve("README.md")));
        try (Stream<Path> docs = Files.list(RepositoryFiles.root().resolve("docs"))) {
            // performance.md also names the load generator's and the comparison script's own variables.
            docs.filter(file -> file.toString().endsWith(".md") && !file.endsWith("performance.md")).forEach(files::add);
        }
        assertThat(files).as("README.md and docs/").hasSizeGreaterThan(3);
        for (Path file : files) {
            Matcher matcher = AIGOV_NAME.matcher(Files.readString(file));
            while (matcher.find()) {
                String name = matcher.group();
                if (name.endsWith("_")) { // a family such as AIGOV_TLS_*
                    assertThat(known).as("%s* in %s names no variable the server reads", name, file)
                            .anyMatch(variable -> variable.startsWith(name));
                } else {
                    assertThat(known).as("%s in %s is a variable the server reads", name, file).contains(name);
                }
            }
        }
    }

    /**
     * Every documented default, read by serve's own path (picocli, then {@link ServeCommand#toConfig()}),
     * is the value the server then runs with: each effective value, written as the table writes it,
     * is the table's default. A variable added to the table needs its line here.
     */
    @Test
    void everyDocumentedDefaultIsTheValueTheServerRunsWith() {
        assumeTrue(System.getenv().keySet().stream().noneMatch(name -> name.startsWith("AIGOV_")),
                "no AIGOV_ variable in this test's environment (it would replace a default)");
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs();
        ServerConfig config = serve.toConfig();
        Map<String, Object> effective = new TreeMap<>();
        effective.put("AIGOV_GRPC_PORT", config.grpcPort());
        effective.put("AIGOV_GRPC_BIND", config.bindAddress());
        effective.put("AIGOV_HTTP_PORT", config.httpPort());
        effective.put("AIGOV_DB_URL", config.database().external().map(DatabaseConfig.External::url));
        effective.put("AIGOV_DB_USER", config.database().external().map(DatabaseConfig.External::user));
        effective.put("AIGOV_DB_PASSWORD", config.database().external().map(DatabaseConfig.External::password));
        effective.put("AIGOV_DB_MIGRATION_USER", config.database().external().flatMap(DatabaseConfig.External::migration)
                .map(DatabaseConfig.Login::user));
        effective.put("AIGOV_DB_MIGRATION_PASSWORD", config.database().external().flatMap(DatabaseConfig.External::migration)
                .map(DatabaseConfig.Login::password));
        effective.put("AIGOV_ALLOW_UNDURABLE_DATABASE", config.database().allowUndurable());
        effective.put("AIGOV_AUTH_FAILURE_BURST", config.authLimits().failureBurst());
        effective.put("AIGOV_AUTH_FAILURES_PER_SECOND", config.authLimits().failuresPerSecond());
        effective.put("AIGOV_DB_POOL_SIZE", config.database().poolSize());
        effective.put("AIGOV_DB_CONNECT_TIMEOUT_MS", config.database().connectTimeout().toMillis());
        effective.put("AIGOV_DATA_DIR", config.database().dataDir());
        effective.put("AIGOV_TLS_CERT_FILE", config.tls().map(ServerConfig.Tls::certificateChain));
        effective.put("AIGOV_TLS_KEY_FILE", config.tls().map(ServerConfig.Tls::privateKey));
        effective.put("AIGOV_TLS_CLIENT_CA_FILE", config.tls().flatMap(ServerConfig.Tls::clientCa));
        effective.put("AIGOV_SHUTDOWN_GRACE_SECONDS", config.shutdownGrace().toSeconds());
        effective.put("AIGOV_MAX_STALENESS", config.hotPath().maxStaleness());
        effective.put("AIGOV_AUDIT_QUEUE_CAPACITY", config.hotPath().auditQueueCapacity());
        effective.put("AIGOV_AUDIT_BATCH_MAX", config.hotPath().auditBatchMax());
        effective.put("AIGOV_AUDIT_WRITERS", config.hotPath().auditWriters());
        effective.put("AIGOV_DECISION_REPLAY_WINDOW", config.hotPath().replayWindow());
        effective.put("AIGOV_CONCURRENCY_LIMIT", config.overload().mode());
        effective.put("AIGOV_CONCURRENCY_LIMIT_MAX", config.overload().maxLimit());
        effective.put("AIGOV_METRICS_PORT", config.telemetry().metricsPort());
        effective.put("AIGOV_METRICS_BIND", config.telemetry().metricsBind());
        effective.put("AIGOV_OTLP_ENDPOINT", config.telemetry().otlpEndpoint());
        effective.put("AIGOV_CATALOG_FILE", config.catalog().file());
        effective.put("AIGOV_SIGNING_KEY_FILE", config.evidence().signingKeyFile());
        effective.put("AIGOV_RECEIPT_TTL", config.evidence().receiptTtl());
        effective.put("AIGOV_CHECKPOINT_DIR", config.evidence().checkpointDir());
        effective.put("AIGOV_AUDIT_RETENTION", config.retention().retention().map(kept -> kept.toDays() + "d").orElse("off"));
        effective.put("AIGOV_AUDIT_RETENTION_BELOW_LEGAL_FLOOR", config.retention().belowLegalFloor());
        effective.put("AIGOV_AUDIT_ARCHIVE_DIR", config.retention().archiveDir());
        Map<String, String> documented = new TreeMap<>();
        tableRows().forEach(row -> documented.put(row.get(0), row.get(1)));
        // Read by Main before any command, not by serve (JsonLogsTest runs the process with AIGOV_LOG_FORMAT=json).
        documented.remove(Main.LOG_FORMAT_VARIABLE);
        documented.remove(DEBUG_VARIABLE);

        assertThat(effective.keySet()).as("variables of docs/configuration.md's table").isEqualTo(documented.keySet());
        effective.forEach((variable, value) -> assertThat(written(value)).as("%s as the server runs with it", variable)
                .isEqualTo(documented.get(variable)));
        // "where it starts": the adaptive limit starts at its ceiling.
        assertThat(config.overload().limit()).isEqualTo(config.overload().maxLimit());
    }

    /**
     * The ranges the table gives ("a duration, 20ms to 10m"): each bound is accepted, and a
     * millisecond beyond it is refused at start with a message naming the variable.
     */
    @Test
    void everyDocumentedRangeIsTheOneTheServerAccepts() {
        Pattern range = Pattern.compile("\\(a duration, ([^ ]+) to ([^ )]+)\\)");
        Map<String, String> options = optionNames();
        int ranges = 0;
        for (List<String> row : tableRows()) {
            Matcher matcher = range.matcher(row.get(2));
            if (!matcher.find()) {
                continue;
            }
            ranges++;
            String variable = row.get(0);
            Duration lowest = Durations.parse(variable, matcher.group(1));
            Duration highest = Durations.parse(variable, matcher.group(2));
            assertThat(serveWith(options.get(variable), lowest.toMillis() + "ms")).as("%s at %s", variable, matcher.group(1)).isNotNull();
            assertThat(serveWith(options.get(variable), highest.toMillis() + "ms")).as("%s at %s", variable, matcher.group(2)).isNotNull();
            for (Duration beyond : List.of(lowest.minusMillis(1), highest.plusMillis(1))) {
                assertThatThrownBy(() -> serveWith(options.get(variable), beyond.toMillis() + "ms")).as("%s at %s", variable, beyond)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(variable)
                        .hasMessageContaining(matcher.group(1) + " to " + matcher.group(2));
            }
            assertThatThrownBy(() -> serveWith(options.get(variable), "15 minutes")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(variable);
        }
        // AIGOV_MAX_STALENESS (20ms to 10m) and AIGOV_DECISION_REPLAY_WINDOW (1m to 24h).
        assertThat(ranges).as("variables with a range in docs/configuration.md's table").isEqualTo(2);
    }

    /** A serve configuration with {@code option} set to {@code value} and every other setting at its default. */
    private static ServerConfig serveWith(String option, String value) {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(option + "=" + value);
        return serve.toConfig();
    }

    /** A value as docs/configuration.md's table writes it: "(none)" for nothing, durations as 1s or 15m. */
    private static String written(Object value) {
        return switch (value) {
            case Optional<?> optional -> optional.map(ConfigurationDocTest::written).orElse(NO_DEFAULT);
            case Duration duration when duration.toMillis() % 3_600_000 == 0 -> duration.toHours() + "h";
            case Duration duration when duration.toMillis() % 60_000 == 0 -> duration.toMinutes() + "m";
            case Duration duration when duration.toMillis() % 1_000 == 0 -> duration.toSeconds() + "s";
            case Duration duration -> duration.toMillis() + "ms";
            case Double number when number == Math.rint(number) -> Long.toString(number.longValue());
            case Enum<?> constant -> constant.name().toLowerCase(Locale.ROOT);
            default -> value.toString();
        };
    }

    /** Each variable a serve option reads, to that option's name. */
    private static Map<String, String> optionNames() {
        Map<String, String> names = new TreeMap<>();
        for (Class<?> type : List.of(ServeCommand.class, DatabaseOptions.class)) {
            for (Field field : type.getDeclaredFields()) {
                Option option = field.getAnnotation(Option.class);
                Matcher matcher = option == null ? null : ENV_DEFAULT.matcher(option.defaultValue());
                if (matcher != null && matcher.matches()) {
                    names.put(matcher.group(1), option.names()[0]);
                }
            }
        }
        return names;
    }

    private static List<List<String>> tableRows() {
        List<List<String>> rows = Markdown.read(CONFIGURATION).tableRows("Configuration");
        assertThat(rows).as("rows of docs/configuration.md's table").isNotEmpty()
                .allSatisfy(row -> assertThat(row).as("a row of docs/configuration.md's table").hasSize(3));
        return rows;
    }

    /** Each variable a serve option defaults to, and that option's own default ("" when it has none). */
    private static Map<String, String> optionDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Class<?> type : List.of(ServeCommand.class, DatabaseOptions.class)) {
            for (Field field : type.getDeclaredFields()) {
                Option option = field.getAnnotation(Option.class);
                Matcher matcher = option == null ? null : ENV_DEFAULT.matcher(option.defaultValue());
                if (matcher != null && matcher.matches()) {
                    defaults.put(matcher.group(1), matcher.group(2) == null ? "" : matcher.group(2));
                }
            }
        }
        return defaults;
    }
}
