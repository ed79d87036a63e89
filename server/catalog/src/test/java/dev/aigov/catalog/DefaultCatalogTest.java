package dev.aigov.catalog;

import static dev.aigov.core.DataClassification.OPERATIONAL_METADATA;
import static dev.aigov.core.DataClassification.PRODUCT_KNOWLEDGE;
import static dev.aigov.core.DataClassification.TENANT_CONFIGURATION;
import static dev.aigov.core.DataClassification.WORKSPACE_CONFIGURATION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.core.DataClassification;
import dev.aigov.core.ProviderClass;
import dev.aigov.core.UseCase;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The jar's built-in catalog (catalog/default.json): today's two use cases, and its own test suite passes on it. */
class DefaultCatalogTest {
    /** The repository's test suite of the built-in catalog: what the build runs (and docs/catalog.md shows). */
    static final Path DEFAULT_TESTS = Path.of("src/test/resources/catalog/default.tests.json");

    /** One approved use case, as the catalog's table lists it. */
    private record Row(String key, String sourceFamily, boolean tenantContextPermitted,
            Set<ProviderClass> providerClasses, Set<DataClassification> dataClassifications) {
    }

    /** The use cases this release approves, written out so that the test does not take them from the file under test. */
    private static final List<Row> APPROVED = List.of(
            new Row("product_knowledge.answer_draft", "product_knowledge", false,
                    Set.of(ProviderClass.LOCAL_PRIVATE),
                    Set.of(PRODUCT_KNOWLEDGE, OPERATIONAL_METADATA)),
            new Row("support_diagnostics.summary_draft", "support_diagnostics", true,
                    Set.of(ProviderClass.LOCAL_PRIVATE),
                    Set.of(OPERATIONAL_METADATA, WORKSPACE_CONFIGURATION, TENANT_CONFIGURATION)));

    private static final List<UseCase> BUILT_IN = CatalogFile.builtIn().catalog().useCases();

    @Test
    void theBuiltInCatalogIsExactlyTheApprovedTable() {
        List<Row> catalog = BUILT_IN.stream()
                .map(useCase -> new Row(useCase.key(), useCase.sourceFamily(), useCase.tenantContextPermitted(),
                        useCase.providerClasses(), useCase.dataClassifications()))
                .toList();

        assertThat(catalog).containsExactlyElementsOf(APPROVED);
        assertThat(CatalogFile.builtIn().file()).isEmpty();
        assertThat(CatalogFile.builtIn().label()).contains("aigov built-in");
    }

    @Test
    void everyUseCaseIsDescribedForPeopleReadingTheList() {
        assertThat(BUILT_IN).allSatisfy(useCase -> assertThat(useCase.description()).isNotBlank());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataClassification.class, names = {"PERSONAL_DATA", "SECRET"})
    void classificationIsPermittedByNoUseCase(DataClassification classification) {
        assertThat(BUILT_IN).noneSatisfy(useCase -> assertThat(useCase.dataClassifications()).contains(classification));
    }

    @Test
    void externalPublicIsPermittedByNoUseCase() {
        assertThat(BUILT_IN).noneSatisfy(useCase -> assertThat(useCase.providerClasses()).contains(ProviderClass.EXTERNAL_PUBLIC));
    }

    @Test
    void theBuiltInCatalogPassesItsOwnTestSuite() {
        CatalogTestSuite suite = CatalogTestSuite.load(DEFAULT_TESTS);
        CatalogTestSuite.Result result = suite.run(CatalogFile.builtIn().catalog());

        assertThat(result.failures()).isEmpty();
        // Every rule, each allowed use case and each pause scope: the suite is the catalog's specification.
        assertThat(result.cases()).isEqualTo(12);
        assertThat(result.summary()).isEqualTo("catalog test: 12 cases, 12 passed, 0 failed");
    }
}
