package dev.aigov.core;

import static dev.aigov.core.DataClassification.PRODUCT_KNOWLEDGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogTest {

    private static final Catalog CATALOG = RequestBuilder.CATALOG;

    @Test
    void externalPublicIsPermittedByNoPolicyMode() {
        assertThat(PolicyMode.values())
                .noneSatisfy(mode -> assertThat(mode.permittedProviderClasses()).contains(ProviderClass.EXTERNAL_PUBLIC));
        assertThat(PolicyMode.anyPermits(ProviderClass.EXTERNAL_PUBLIC)).isFalse();
        assertThat(PolicyMode.anyPermits(ProviderClass.LOCAL_PRIVATE)).isTrue();
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
        assertThat(CATALOG.useCases()).extracting(UseCase::key).isSorted();
    }

    @ParameterizedTest
    @ValueSource(strings = {"product_knowledge.answer_draft", "support_diagnostics.summary_draft"})
    void findReturnsTheUseCaseWithThatKey(String key) {
        assertThat(CATALOG.find(key)).get().extracting(UseCase::key).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"marketing.email_draft", "PRODUCT_KNOWLEDGE.ANSWER_DRAFT", "product_knowledge", ""})
    void findReturnsNothingForAKeyNotInTheCatalog(String key) {
        assertThat(CATALOG.find(key)).isEmpty();
    }

    @Test
    void catalogCannotBeChangedAtRunTime() {
        UseCase answerDraft = CATALOG.find("product_knowledge.answer_draft").orElseThrow();

        assertThatThrownBy(() -> CATALOG.useCases().add(useCase("smuggled.draft")))
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
