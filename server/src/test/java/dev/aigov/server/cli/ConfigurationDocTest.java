package dev.aigov.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
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
