package dev.aigov.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.aigov.core.DataClassification;
import dev.aigov.core.ProviderClass;
import dev.aigov.core.UseCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A catalog file is read exactly as docs/catalog.md describes it, and every kind of invalid file is refused at its line. */
class CatalogFileTest {

    /** A valid catalog of one use case; line 5 is the use case's key, line 10 its classifications. */
    private static final String VALID = """
            {
              "format": 1,
              "label": "r42",
              "use_cases": [
                {"key": "billing.invoice_summary",
                 "description": "Summarise an invoice.",
                 "source_family": "billing",
                 "tenant_context_permitted": true,
                 "provider_classes": ["local_private"],
                 "data_classifications": ["operational_metadata", "tenant_configuration"]}
              ]
            }
            """;

    /** The same key on lines 3 and 6. */
    private static final String TWICE = """
            {"format": 1,
             "use_cases": [
              {"key": "billing.invoice_summary", "description": "Summarise an invoice.", "source_family": "billing",
               "tenant_context_permitted": false, "provider_classes": ["local_private"],
               "data_classifications": ["operational_metadata"]},
              {"key": "billing.invoice_summary", "description": "Again.", "source_family": "billing",
               "tenant_context_permitted": false, "provider_classes": ["local_private"],
               "data_classifications": ["operational_metadata"]}
             ]}
            """;

    @Test
    void aValidFileIsTheCatalogItWrites() {
        LoadedCatalog loaded = CatalogFile.parse("c.json", VALID);

        assertThat(loaded.label()).contains("r42");
        assertThat(loaded.catalog().useCases()).containsExactly(new UseCase("billing.invoice_summary", "billing", true,
                Set.of(ProviderClass.LOCAL_PRIVATE), Set.of(DataClassification.OPERATIONAL_METADATA,
                        DataClassification.TENANT_CONFIGURATION),
                "Summarise an invoice."));
    }

    @Test
    void theLabelIsOptionalAndAnEmptyListApprovesNothing() {
        LoadedCatalog loaded = CatalogFile.parse("c.json", """
                {"format": 1, "use_cases": []}
                """);

        assertThat(loaded.label()).isEmpty();
        assertThat(loaded.catalog().useCases()).isEmpty();
    }

    @Test
    void aFileOnDiskIsNamedInWhatItLoads(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("catalog.json"), VALID);

        LoadedCatalog loaded = CatalogFile.load(file);

        assertThat(loaded.file()).contains(file);
        assertThat(loaded.describe()).isEqualTo("catalog " + file + " (label 'r42'), 1 use case");
    }

    @Test
    void aMissingFileIsOneProblemNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");

        assertThatThrownBy(() -> CatalogFile.load(missing)).isInstanceOf(InvalidFile.class)
                .hasMessage(missing + ": cannot be read (NoSuchFileException: " + missing + ")");
    }

    static Stream<Arguments> invalidFiles() {
        return Stream.of(
                arguments("unknown classification", VALID.replace("\"tenant_configuration\"", "\"tenant_config\""),
                        "c.json line 10: use case 'billing.invoice_summary': unknown data classification 'tenant_config' in "
                                + "data_classifications (one of: product_knowledge, operational_metadata, workspace_configuration, "
                                + "tenant_configuration, personal_data, secret)"),
                arguments("the proto's enum name instead of the word",
                        VALID.replace("\"local_private\"", "\"PROVIDER_CLASS_LOCAL_PRIVATE\""),
                        "c.json line 9: use case 'billing.invoice_summary': unknown provider class 'PROVIDER_CLASS_LOCAL_PRIVATE' in "
                                + "provider_classes (one of: local_private, external_public)"),
                arguments("unknown field in a use case", VALID.replace("\"source_family\": \"billing\",",
                        "\"source_family\": \"billing\", \"owner\": \"team-x\","),
                        "c.json line 7: use case 'billing.invoice_summary': unknown field 'owner' (the fields are: key, description, "
                                + "source_family, tenant_context_permitted, provider_classes, data_classifications)"),
                arguments("misspelt field", VALID.replace("\"label\"", "\"lable\""),
                        "c.json line 3: the catalog: unknown field 'lable' (the fields are: $schema, format, label, use_cases)"),
                arguments("duplicate key", TWICE,
                        "c.json line 6: use case 'billing.invoice_summary' is declared twice (first at line 3)"),
                arguments("no provider class", VALID.replace("[\"local_private\"]", "[]"),
                        "c.json line 9: use case 'billing.invoice_summary': provider_classes is empty, so no request could ever be allowed"),
                arguments("no classification", VALID.replace("[\"operational_metadata\", \"tenant_configuration\"]", "[]"),
                        "c.json line 10: use case 'billing.invoice_summary': data_classifications is empty, so no request could ever be "
                                + "allowed"),
                arguments("only classes no policy mode permits", VALID.replace("\"local_private\"", "\"external_public\""),
                        "c.json line 9: use case 'billing.invoice_summary': no policy mode permits external_public, so no request could "
                                + "ever be allowed (the policy modes permit: local_private)"),
                arguments("a key no request could name", VALID.replace("billing.invoice_summary", "billing invoice"),
                        "c.json line 5: use case 'billing invoice': key 'billing invoice' is not an id (1 to 128 letters, digits and "
                                + ". _ : -), so no request could name it"),
                arguments("wrong type", VALID.replace("\"tenant_context_permitted\": true", "\"tenant_context_permitted\": \"yes\""),
                        "c.json line 8: use case 'billing.invoice_summary': tenant_context_permitted must be true or false, not a string"),
                arguments("a classification twice", VALID.replace("\"tenant_configuration\"]", "\"operational_metadata\"]"),
                        "c.json line 10: use case 'billing.invoice_summary': data_classifications lists operational_metadata twice"),
                arguments("wrong format version", VALID.replace("\"format\": 1", "\"format\": 2"),
                        "c.json line 2: format 2 is not one this aigov reads (it reads format 1)"),
                arguments("no format", VALID.replace("\"format\": 1,", ""),
                        "c.json line 1: format is required (this aigov reads format 1)"),
                arguments("malformed JSON", VALID.replace("\"Summarise an invoice.\",", "\"Summarise an invoice.\""),
                        "c.json line 7: is not valid JSON: Unexpected character ('\"' (code 34)): was expecting comma to separate Object "
                                + "entries"),
                arguments("a field twice", VALID.replace("\"label\": \"r42\",", "\"label\": \"r42\", \"label\": \"r43\","),
                        "c.json line 3: is not valid JSON: Duplicate field 'label'"),
                arguments("not an object", "[]", "c.json line 1: the catalog must be a JSON object, not an array"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void anInvalidFileIsRefusedWithItsLineAndProblem(String kind, String text, String problem) {
        assertThatThrownBy(() -> CatalogFile.parse("c.json", text)).isInstanceOf(InvalidFile.class)
                .satisfies(invalid -> assertThat(((InvalidFile) invalid).problems()).extracting(Problem::toString)
                        .containsExactly(problem))
                .hasMessage(problem);
    }

    @Test
    void everyProblemIsReportedInLineOrderAndTheMessageIsOneLine() {
        String text = VALID.replace("\"label\"", "\"lable\"").replace("\"billing\"", "\"\"")
                .replace("\"local_private\"", "\"gpu_cluster\"");

        assertThatThrownBy(() -> CatalogFile.parse("c.json", text)).isInstanceOf(InvalidFile.class)
                .satisfies(invalid -> assertThat(((InvalidFile) invalid).problems()).extracting(Problem::line)
                        .containsExactly(3, 7, 9))
                .hasMessageStartingWith("c.json line 3: the catalog: unknown field 'lable'")
                .hasMessageEndingWith(" (and 2 more problems; catalog check lists them all)")
                .satisfies(invalid -> assertThat(invalid.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aByteOrderMarkIsNotAProblem() {
        assertThat(CatalogFile.parse("c.json", "\uFEFF" + VALID).catalog().useCases()).hasSize(1);
    }

    @Test
    void nestingPastTheParsersLimitIsAProblemAtItsLine() {
        String deep = "{\"format\": 1, \"use_cases\": " + "[".repeat(5000) + "]".repeat(5000) + "}";

        assertThatThrownBy(() -> CatalogFile.parse("c.json", deep)).isInstanceOf(InvalidFile.class)
                .hasMessageStartingWith("c.json line 1: is not valid JSON: Document nesting depth");
    }

    @Test
    void aWrongFormatIsJudgedBeforeTheRestOfTheFile() {
        String text = VALID.replace("\"format\": 1", "\"format\": \"1\"").replace("\"local_private\"", "\"gpu_cluster\"");

        assertThatThrownBy(() -> CatalogFile.parse("c.json", text)).isInstanceOf(InvalidFile.class)
                .satisfies(invalid -> assertThat(((InvalidFile) invalid).problems()).hasSize(1))
                .hasMessage("c.json line 2: format \"1\" is not one this aigov reads (it reads format 1)");
    }

    @Test
    void aUseCaseNeedsEveryField() {
        List<String> problems = problemsOf("""
                {"format": 1, "use_cases": [
                  {"key": "a.b"}
                ]}
                """);

        assertThat(problems).containsExactly(
                "c.json line 2: use case 'a.b': description is required",
                "c.json line 2: use case 'a.b': source_family is required",
                "c.json line 2: use case 'a.b': tenant_context_permitted is required",
                "c.json line 2: use case 'a.b': provider_classes is required",
                "c.json line 2: use case 'a.b': data_classifications is required");
    }

    private static List<String> problemsOf(String text) {
        try {
            CatalogFile.parse("c.json", text);
        } catch (InvalidFile invalid) {
            return invalid.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("the catalog was accepted");
    }
}
