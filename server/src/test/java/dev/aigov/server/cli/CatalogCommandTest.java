package dev.aigov.server.cli;

import static dev.aigov.server.cli.TokenCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.server.cli.TokenCommandTest.Run;
import dev.aigov.server.testing.RepositoryFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code catalog check} and {@code catalog test} as a CI job runs them (docs/catalog.md): the
 * repository's own built-in catalog passes its test suite, run here by the build; an invalid catalog
 * and a failing case are each a line naming the file's line or the case, and exit 1.
 */
class CatalogCommandTest {
    /** The jar's built-in catalog, as the repository keeps it. */
    static final Path BUILT_IN = RepositoryFiles.root().resolve("server/catalog/src/main/resources/catalog/default.json");
    /** Its test suite. */
    static final Path BUILT_IN_TESTS = RepositoryFiles.root().resolve("server/catalog/src/test/resources/catalog/default.tests.json");

    @TempDir
    Path dir;

    @Test
    void theBuiltInCatalogPassesItsTestSuite() {
        Run test = run("catalog", "test", BUILT_IN.toString(), BUILT_IN_TESTS.toString());

        assertThat(test.exitCode()).as("exit code; stderr: %s", test.err()).isZero();
        assertThat(test.outLines()).containsExactly("catalog test: 12 cases, 12 passed, 0 failed");
    }

    @Test
    void checkSaysHowManyUseCasesAValidCatalogHas() {
        Run check = run("catalog", "check", BUILT_IN.toString());

        assertThat(check.exitCode()).isZero();
        assertThat(check.outLines()).containsExactly("ok: 2 use cases, version " + CatalogFile.load(BUILT_IN).catalog().version().digest()
                + " (label 'aigov built-in')");
        assertThat(check.errLines()).isEmpty();
    }

    @Test
    void checkListsEveryProblemOfAnInvalidCatalogWithItsLine() throws IOException {
        Path catalog = Files.writeString(dir.resolve("catalog.json"), Files.readString(BUILT_IN)
                .replace("\"label\"", "\"lable\"").replace("\"tenant_configuration\"", "\"tenant_config\""));

        Run check = run("catalog", "check", catalog.toString());

        assertThat(check.exitCode()).isEqualTo(CatalogCommand.FAILED);
        assertThat(check.outLines()).isEmpty();
        assertThat(check.errLines()).containsExactly(
                catalog + " line 3: the catalog: unknown field 'lable' (the fields are: $schema, format, label, use_cases)",
                catalog + " line 19: use case 'support_diagnostics.summary_draft': unknown data classification 'tenant_config' in "
                        + "data_classifications (one of: product_knowledge, operational_metadata, workspace_configuration, "
                        + "tenant_configuration, personal_data, secret)");
    }

    @Test
    void aFailingCaseIsNamedAndTheSummaryCountsIt() throws IOException {
        // The operator widens the answer draft to personal data; the suite that says it must not, now fails.
        Path widened = Files.writeString(dir.resolve("widened.json"), Files.readString(BUILT_IN)
                .replace("[\"product_knowledge\", \"operational_metadata\"]",
                        "[\"product_knowledge\", \"operational_metadata\", \"personal_data\"]"));

        Run test = run("catalog", "test", widened.toString(), BUILT_IN_TESTS.toString());

        assertThat(test.exitCode()).isEqualTo(CatalogCommand.FAILED);
        assertThat(test.outLines()).hasSize(2);
        assertThat(test.outLines().get(0)).startsWith("FAIL case 'personal data is permitted by no use case' (" + BUILT_IN_TESTS
                + " line 26): expected block reasons [data_classification_not_permitted] rejected [personal_data]; decided allow");
        assertThat(test.outLines().get(1)).isEqualTo("catalog test: 12 cases, 11 passed, 1 failed");
    }

    @Test
    void anInvalidSuiteIsItsLinesAndExitsOne() throws IOException {
        Path suite = Files.writeString(dir.resolve("tests.json"), """
                {"format": 1, "cases": [
                  {"name": "typo", "request": {"use_case": "a", "source_family": "b", "provider_class": "local",
                   "data_classifications": ["secret"]}, "policy_mode": "disabled", "expect": {"outcome": "block"}}
                ]}
                """);

        Run test = run("catalog", "test", BUILT_IN.toString(), suite.toString());

        assertThat(test.exitCode()).isEqualTo(CatalogCommand.FAILED);
        assertThat(test.errLines()).containsExactly(suite + " line 2: case 'typo', request: unknown provider class 'local' in "
                + "provider_class (one of: local_private, external_public)");
    }
}
