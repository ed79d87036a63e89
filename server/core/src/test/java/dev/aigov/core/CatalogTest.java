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

    /**
     * The digest follows the encoding Catalog#digestOf documents, pinned by vectors computed outside
     * Java from that text (a short Python script over the same bytes), so that no change of the
     * code changes a published digest unnoticed.
     */
    @Test
    void theDigestIsTheDocumentedEncodingsSha256() {
        assertThat(Catalog.digestOf(List.of())).isEqualTo("sha256:8545722adce94037272435860a172d656069d56c6362bb3d712b0b8057c7d59a");
        UseCase b = new UseCase("b.draft", "fam_b", true, Set.of(ProviderClass.LOCAL_PRIVATE),
                Set.of(DataClassification.SECRET, DataClassification.PERSONAL_DATA), "B \u00e9");
        UseCase a = new UseCase("a.draft", "fam_a", false, Set.of(ProviderClass.LOCAL_PRIVATE, ProviderClass.EXTERNAL_PUBLIC),
                Set.of(PRODUCT_KNOWLEDGE), "A");
        String expected = "sha256:619babc78bf3f8cb4912955e780c3971cbb7915be88bb16358761329ec3e2e45";
        assertThat(new Catalog(List.of(b, a)).version().digest()).isEqualTo(expected);
        assertThat(new Catalog(List.of(a, b), java.util.Optional.of("r42")).version())
                .as("neither the order declared nor the label changes the digest")
                .isEqualTo(new CatalogVersion(expected, java.util.Optional.of("r42")));
    }

    @Test
    void anyChangeToWhatTheRulesReadChangesTheDigest() {
        UseCase base = useCase("a.draft");
        String digest = new Catalog(List.of(base)).version().digest();
        List<UseCase> changed = List.of(
                new UseCase("a.draft2", base.sourceFamily(), base.tenantContextPermitted(), base.providerClasses(),
                        base.dataClassifications(), base.description()),
                new UseCase(base.key(), "other", base.tenantContextPermitted(), base.providerClasses(), base.dataClassifications(),
                        base.description()),
                new UseCase(base.key(), base.sourceFamily(), !base.tenantContextPermitted(), base.providerClasses(),
                        base.dataClassifications(), base.description()),
                new UseCase(base.key(), base.sourceFamily(), base.tenantContextPermitted(),
                        Set.of(ProviderClass.LOCAL_PRIVATE, ProviderClass.EXTERNAL_PUBLIC), base.dataClassifications(),
                        base.description()),
                new UseCase(base.key(), base.sourceFamily(), base.tenantContextPermitted(), base.providerClasses(),
                        Set.of(DataClassification.SECRET), base.description()),
                new UseCase(base.key(), base.sourceFamily(), base.tenantContextPermitted(), base.providerClasses(),
                        base.dataClassifications(), base.description() + "."));
        for (UseCase one : changed) {
            assertThat(new Catalog(List.of(one)).version().digest()).as(one.toString()).isNotEqualTo(digest);
        }
        assertThat(new Catalog(List.of(base, useCase("b.draft"))).version().digest()).isNotEqualTo(digest);
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
