package dev.aigov.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aigov.catalog.CatalogFile;
import dev.aigov.catalog.CatalogTestSuite;
import dev.aigov.catalog.LoadedCatalog;
import dev.aigov.core.DataClassification;
import dev.aigov.core.ProviderClass;
import dev.aigov.core.Vocabulary;
import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** docs/catalog.md and docs/catalog.schema.json say what the server reads: the examples hold, the schema has the reader's fields and words. */
class CatalogDocTest {
    private static final Path PAGE = RepositoryFiles.root().resolve("docs/catalog.md");
    private static final Path SCHEMA = RepositoryFiles.root().resolve("docs/catalog.schema.json");

    @Test
    void thePagesCatalogIsTheBuiltInOne() {
        List<String> blocks = Markdown.read(PAGE).codeBlocks("The file", "json");
        assertThat(blocks).hasSize(1);

        LoadedCatalog shown = CatalogFile.parse("docs/catalog.md", blocks.get(0));

        assertThat(shown.catalog().useCases()).isEqualTo(CatalogFile.builtIn().catalog().useCases());
        assertThat(shown.label()).isEqualTo(CatalogFile.builtIn().label());
    }

    @Test
    void thePagesTestSuitePassesOnTheBuiltInCatalog() {
        List<String> blocks = Markdown.read(PAGE).codeBlocks("Test suites", "json");
        assertThat(blocks).hasSize(1);

        CatalogTestSuite.Result result = CatalogTestSuite.parse("docs/catalog.md", blocks.get(0)).run(CatalogFile.builtIn().catalog());

        assertThat(result.failures()).isEmpty();
        assertThat(result.cases()).isEqualTo(3);
    }

    @Test
    void theRefusedStartThePageShowsIsTheOneTheServerPrints() throws IOException {
        String shown = Markdown.read(PAGE).codeBlocks("Invalid never serves", "text").get(0).strip();
        Path file = Path.of("/etc/aigov/catalog.json");
        String invalid = Files.readString(CatalogCommandTest.BUILT_IN).replace("\"tenant_configuration\"", "\"tenant_config\"");

        assertThatThrownBy(() -> CatalogFile.parse(file.toString(), invalid))
                .satisfies(refused -> assertThat("error: AIGOV_CATALOG_FILE: " + refused.getMessage()).isEqualTo(shown));
        // ServeCatalogFileTest starts a server process on such a file: this is the line it prints.
    }

    @Test
    void theSchemaHasTheReadersFieldsAndTheVocabularysWords() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(SCHEMA.toFile());
        JsonNode useCase = schema.at("/$defs/use_case");

        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(names(schema.get("properties"))).containsExactlyElementsOf(CatalogFile.CATALOG_FIELDS);
        assertThat(names(useCase.get("properties"))).containsExactlyElementsOf(CatalogFile.USE_CASE_FIELDS);
        assertThat(texts(useCase.get("required"))).containsExactlyElementsOf(CatalogFile.USE_CASE_FIELDS);
        assertThat(schema.at("/properties/format/const").asInt()).isEqualTo(CatalogFile.FORMAT);
        assertThat(schema.at("/additionalProperties").asBoolean(true)).isFalse();
        assertThat(useCase.at("/additionalProperties").asBoolean(true)).isFalse();
        assertThat(texts(useCase.at("/properties/provider_classes/items/enum")))
                .containsExactlyElementsOf(Arrays.stream(ProviderClass.values()).map(Vocabulary::word).toList());
        assertThat(texts(useCase.at("/properties/data_classifications/items/enum")))
                .containsExactlyElementsOf(Arrays.stream(DataClassification.values()).map(Vocabulary::word).toList());
        assertThat(texts(useCase.at("/properties/provider_classes/contains/enum")))
                .containsExactlyElementsOf(Arrays.stream(ProviderClass.values()).filter(dev.aigov.core.PolicyMode::anyPermits)
                        .map(Vocabulary::word).toList());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
