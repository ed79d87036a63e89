package dev.aigov.client.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.aigov.client.testing.fixtures.Bypassing;
import dev.aigov.client.testing.fixtures.GuardedClass;
import dev.aigov.client.testing.fixtures.GuardedMethod;
import dev.aigov.client.testing.fixtures.MethodReferenceBypass;
import dev.aigov.client.testing.fixtures.NoProvider;
import dev.aigov.client.testing.fixtures.gateway.ModelGateway;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule against fixture classes that do and do not call a provider outside the guard. */
class AiGovernanceRulesTest {

    private static final JavaClasses FIXTURES = new ClassFileImporter().importPackages("dev.aigov.client.testing.fixtures");

    @Test
    void everyCallOutsideTheGuardIsReportedWithItsClassMethodAndLine() {
        EvaluationResult result = AiGovernanceRules.noProviderCallsOutsideGuard().evaluate(FIXTURES);

        List<String> details = result.getFailureReport().getDetails();
        assertThat(result.hasViolation()).isTrue();
        assertThat(details).hasSize(5).allSatisfy(line -> assertThat(line).startsWith("AI provider called outside the aigov guard: "));
        assertThat(details).anySatisfy(line -> assertThat(line)
                .contains("<" + Bypassing.class.getName()
                        + ".draft(java.lang.String)> calls constructor <com.openai.client.OpenAIClient.<init>()>")
                .contains("(Bypassing.java:8)"));
        assertThat(details).anySatisfy(line -> assertThat(line)
                .contains("<" + Bypassing.class.getName()
                        + ".draft(java.lang.String)> calls method <com.openai.client.OpenAIClient.complete(java.lang.String)>")
                .contains("(Bypassing.java:8)"));
        assertThat(details).anySatisfy(line -> assertThat(line)
                .contains("<" + GuardedMethod.class.getName()
                        + ".sneak(java.lang.String)> calls method <dev.langchain4j.model.chat.ChatModel.chat(java.lang.String)>")
                .contains("(GuardedMethod.java:22)"));
        assertThat(details).anySatisfy(line -> assertThat(line)
                .contains("<" + MethodReferenceBypass.class.getName() + ".invoker(")
                .contains("BedrockRuntimeClient.invokeModel(java.lang.String)")
                .contains("(MethodReferenceBypass.java:9)"));
        assertThat(details).anySatisfy(line -> assertThat(line)
                .contains("<" + ModelGateway.class.getName() + ".send(").contains("(ModelGateway.java:11)"));
    }

    @Test
    void markedClassesMarkedMethodsAndTheirLambdasAndCodeWithoutProvidersPass() {
        String report = String.join("\n",
                AiGovernanceRules.noProviderCallsOutsideGuard().evaluate(FIXTURES).getFailureReport().getDetails());

        assertThat(report).doesNotContain(GuardedClass.class.getName())
                .doesNotContain(GuardedMethod.class.getName() + ".draft")
                .doesNotContain("lambda$draft")
                .doesNotContain(NoProvider.class.getName());
        AiGovernanceRules.noProviderCallsOutsideGuard()
                .check(new ClassFileImporter().importClasses(GuardedClass.class, GuardedClass.Helper.class, NoProvider.class));
    }

    @Test
    void packagesAndTypesTheServiceNamesAreAllowed() {
        JavaClasses gateway = new ClassFileImporter().importClasses(ModelGateway.class);

        assertThat(AiGovernanceRules.noProviderCallsOutsideGuard().evaluate(gateway).hasViolation()).isTrue();
        AiGovernanceRules.providerCalls().allowedInPackages("..fixtures.gateway..").build().check(gateway);
        AiGovernanceRules.providerCalls().allowedInTypes(ModelGateway.class).build().check(gateway);
    }

    @Test
    void theProviderListIsConfigurable() {
        JavaClasses bypassing = new ClassFileImporter().importClasses(Bypassing.class);

        AiGovernanceRules.providerCalls().providerPackages("dev.langchain4j..").build().check(bypassing);
        assertThat(AiGovernanceRules.providerCalls().providerPackages("com.acme.llm..").alsoProviderPackages("com.openai..")
                .build().evaluate(bypassing).hasViolation()).isTrue();
        assertThatThrownBy(() -> AiGovernanceRules.providerCalls().providerPackages())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCheckFailsTheTestWithTheReport() {
        assertThatThrownBy(() -> AiGovernanceRules.noProviderCallsOutsideGuard().check(FIXTURES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Bypassing.java:8")
                .hasMessageContaining("5 times");
    }
}
