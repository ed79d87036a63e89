package dev.aigov.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.core.Catalog;
import org.junit.jupiter.api.Test;

/** A catalog test suite decides each case with the server's rules, and names every case that fails. */
class CatalogTestSuiteTest {
    private static final Catalog BUILT_IN = CatalogFile.builtIn().catalog();

    /** Two cases: the first holds on the built-in catalog, the second (line 9) expects what it does not permit. */
    private static final String ONE_FAILING = """
            {"format": 1, "cases": [
              {"name": "answer drafts are allowed",
               "request": {"use_case": "product_knowledge.answer_draft", "source_family": "product_knowledge",
                           "provider_class": "local_private", "data_classifications": ["product_knowledge"]},
               "policy_mode": "private_only",
               "expect": {"outcome": "allow"}},
              {"name": "answer drafts may carry personal data",
               "request": {"use_case": "product_knowledge.answer_draft", "source_family": "product_knowledge",
                           "provider_class": "local_private", "data_classifications": ["personal_data"]},
               "policy_mode": "private_only",
               "expect": {"outcome": "allow"}}
            ]}
            """;

    @Test
    void aFailingCaseIsNamedWithItsLineWhatItExpectedAndWhatWasDecided() {
        CatalogTestSuite.Result result = CatalogTestSuite.parse("t.json", ONE_FAILING).run(BUILT_IN);

        assertThat(result.passed()).isFalse();
        assertThat(result.failures()).containsExactly("FAIL case 'answer drafts may carry personal data' (t.json line 7): expected "
                + "allow; decided block reasons [data_classification_not_permitted] rejected [personal_data] (Blocked: use case "
                + "'product_knowledge.answer_draft' does not permit data classified as personal_data.)");
        assertThat(result.summary()).isEqualTo("catalog test: 2 cases, 1 passed, 1 failed");
    }

    @Test
    void expectedReasonsAndRejectedClassificationsMustMatchExactly() {
        String suite = """
                {"format": 1, "cases": [
                  {"name": "too few reasons",
                   "request": {"tenant_id": "t-1", "use_case": "product_knowledge.answer_draft", "source_family": "product_knowledge",
                               "provider_class": "local_private", "data_classifications": ["secret"]},
                   "policy_mode": "private_only",
                   "expect": {"outcome": "block", "reasons": ["data_classification_not_permitted"]}},
                  {"name": "wrong rejected",
                   "request": {"use_case": "product_knowledge.answer_draft", "source_family": "product_knowledge",
                               "provider_class": "local_private", "data_classifications": ["secret", "personal_data"]},
                   "policy_mode": "private_only",
                   "expect": {"outcome": "block", "rejected_classifications": ["secret"]}},
                  {"name": "paused under a disabled policy",
                   "request": {"use_case": "product_knowledge.answer_draft", "source_family": "product_knowledge",
                               "provider_class": "local_private", "data_classifications": ["product_knowledge"]},
                   "policy_mode": "disabled", "paused": ["workspace"],
                   "expect": {"outcome": "block", "reasons": ["workspace_policy_disabled", "ai_execution_paused"]}}
                ]}
                """;

        CatalogTestSuite.Result result = CatalogTestSuite.parse("t.json", suite).run(BUILT_IN);

        assertThat(result.failures()).hasSize(2);
        assertThat(result.failures().get(0)).startsWith("FAIL case 'too few reasons' (t.json line 2)");
        assertThat(result.failures().get(1)).startsWith("FAIL case 'wrong rejected' (t.json line 7)");
    }

    @Test
    void anInvalidSuiteIsRefusedAtItsLines() {
        String suite = """
                {"format": 1, "cases": [
                  {"name": "a",
                   "request": {"use_case": "product_knowledge.answer_draft", "source_family": "product_knowledge",
                               "provider_class": "local_private", "data_classifications": ["product_knowledge"]},
                   "policy_mode": "private",
                   "expect": {"outcome": "allow", "reason": "none"}},
                  {"name": "a",
                   "request": {"workspace_id": "ws 1", "use_case": "x", "source_family": "y",
                               "provider_class": "local_private", "data_classifications": ["product_knowledge"]},
                   "policy_mode": "disabled", "paused": ["tenant"],
                   "expect": {"outcome": "block"}}
                ]}
                """;

        assertThatThrownBy(() -> CatalogTestSuite.parse("t.json", suite)).isInstanceOf(InvalidFile.class)
                .satisfies(invalid -> assertThat(((InvalidFile) invalid).problems()).extracting(Problem::toString).containsExactly(
                        "t.json line 5: case 'a': unknown policy mode 'private' in policy_mode (one of: disabled, private_only)",
                        "t.json line 6: case 'a', expect: unknown field 'reason' (the fields are: outcome, reasons, "
                                + "rejected_classifications)",
                        "t.json line 8: case 'a', request is one the server refuses: workspace_id: may contain only letters, digits "
                                + "and . _ : - (got 'ws 1')",
                        "t.json line 10: case 'a': unknown scope 'tenant' in paused (one of: global, workspace)"));
    }

    @Test
    void aSuiteNamesEachCaseOnce() {
        String suite = """
                {"format": 1, "cases": [
                  {"name": "same", "request": {"use_case": "a", "source_family": "b", "provider_class": "local_private",
                   "data_classifications": ["secret"]}, "policy_mode": "disabled", "expect": {"outcome": "block"}},
                  {"name": "same", "request": {"use_case": "a", "source_family": "b", "provider_class": "local_private",
                   "data_classifications": ["secret"]}, "policy_mode": "disabled", "expect": {"outcome": "block"}}
                ]}
                """;

        assertThatThrownBy(() -> CatalogTestSuite.parse("t.json", suite)).isInstanceOf(InvalidFile.class)
                .hasMessage("t.json line 4: case 'same' is named twice (first at line 2)");
    }
}
