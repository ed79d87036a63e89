package dev.aigov.core;

import static dev.aigov.core.DataClassification.OPERATIONAL_METADATA;
import static dev.aigov.core.DataClassification.PRODUCT_KNOWLEDGE;
import static dev.aigov.core.DataClassification.TENANT_CONFIGURATION;
import static dev.aigov.core.DataClassification.WORKSPACE_CONFIGURATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogTest {

    /** One approved use case, as the catalog's table lists it. */
    private record Row(String key, String sourceFamily, boolean tenantContextPermitted,
            Set<ProviderClass> providerClasses, Set<DataClassification> dataClassifications) {
    }

    /** The use cases this release approves, written out so that the test does not take them from the code under test. */
    private static final List<Row> APPROVED = List.of(
            new Row("product_knowledge.answer_draft", "product_knowledge", false,
                    Set.of(ProviderClass.LOCAL_PRIVATE),
                    Set.of(PRODUCT_KNOWLEDGE, OPERATIONAL_METADATA)),
            new Row("support_diagnostics.summary_draft", "support_diagnostics", true,
                    Set.of(ProviderClass.LOCAL_PRIVATE),
                    Set.of(OPERATIONAL_METADATA, WORKSPACE_CONFIGURATION, TENANT_CONFIGURATION)));

    @Test
    void currentCatalogIsExactlyTheApprovedTable() {
        List<Row> catalog = Catalog.CURRENT.useCases().stream()
                .map(useCase -> new Row(useCase.key(), useCase.sourceFamily(), useCase.tenantContextPermitted(),
                        useCase.providerClasses(), useCase.dataClassifications()))
                .toList();

        assertThat(catalog).containsExactlyElementsOf(APPROVED);
    }

    @Test
    void everyUseCaseIsDescribedForPeopleReadingTheList() {
        assertThat(Catalog.CURRENT.useCases()).allSatisfy(useCase -> assertThat(useCase.description()).isNotBlank());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataClassification.class, names = {"PERSONAL_DATA", "SECRET"})
    void classificationIsPermittedByNoUseCase(DataClassification classification) {
        assertThat(Catalog.CURRENT.useCases())
                .noneSatisfy(useCase -> assertThat(useCase.dataClassifications()).contains(classification));
    }

    @Test
    void externalPublicIsPermittedByNoUseCaseAndNoPolicyMode() {
        assertThat(Catalog.CURRENT.useCases())
                .noneSatisfy(useCase -> assertThat(useCase.providerClasses()).contains(ProviderClass.EXTERNAL_PUBLIC));
        assertThat(PolicyMode.values())
                .noneSatisfy(mode -> assertThat(mode.permittedProviderClasses()).contains(ProviderClass.EXTERNAL_PUBLIC));
    }

    @Test
    void disabledModePermitsNoProviderClassAndPrivateOnlyOnlyLocalPrivate() {
        assertThat(PolicyMode.DISABLED.permittedProviderClasses()).isEmpty();
        assertThat(PolicyMode.PRIVATE_ONLY.permittedProviderClasses()).containsExactly(ProviderClass.LOCAL_PRIVATE);
    }

    @Test
    void useCasesAreListedInKeyOrderWhateverOrderTheyAreDeclaredIn() {
        UseCase zebra = useCase("zebra.draft");
        UseCase alpha = useCase("alpha.draft");
        UseCase middle = useCase("middle.draft");

        Catalog catalog = new Catalog(List.of(zebra, alpha, middle));

        assertThat(catalog.useCases()).containsExactly(alpha, middle, zebra);
        assertThat(Catalog.CURRENT.useCases()).extracting(UseCase::key).isSorted();
    }

    @ParameterizedTest
    @ValueSource(strings = {"product_knowledge.answer_draft", "support_diagnostics.summary_draft"})
    void findReturnsTheUseCaseWithThatKey(String key) {
        assertThat(Catalog.CURRENT.find(key)).get().extracting(UseCase::key).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"marketing.email_draft", "PRODUCT_KNOWLEDGE.ANSWER_DRAFT", "product_knowledge", ""})
    void findReturnsNothingForAKeyNotInTheCatalog(String key) {
        assertThat(Catalog.CURRENT.find(key)).isEmpty();
    }

    @Test
    void catalogCannotBeChangedAtRunTime() {
        UseCase answerDraft = Catalog.CURRENT.find("product_knowledge.answer_draft").orElseThrow();

        assertThatThrownBy(() -> Catalog.CURRENT.useCases().add(useCase("smuggled.draft")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> answerDraft.dataClassifications().add(DataClassification.SECRET))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> answerDraft.providerClasses().add(ProviderClass.EXTERNAL_PUBLIC))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private static UseCase useCase(String key) {
        return new UseCase(key, "product_knowledge", false, Set.of(ProviderClass.LOCAL_PRIVATE),
                Set.of(PRODUCT_KNOWLEDGE), "A test use case.");
    }
}
