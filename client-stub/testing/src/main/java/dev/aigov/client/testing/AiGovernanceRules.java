package dev.aigov.client.testing;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaConstructor;
import com.tngtech.archunit.core.domain.PackageMatchers;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import dev.aigov.client.GovernedAiWork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * AiGovernanceRules is the last safety net of the governed boundary, for a consuming service's own
 * tests: an ArchUnit rule that fails when code calls an AI model provider's SDK anywhere except
 * where the service declares it runs inside {@code runIfAllowed}. Each violation names the calling
 * class, method and line, and the provider method it calls.
 *
 * <pre>{@code
 * AiGovernanceRules.noProviderCallsOutsideGuard()
 *         .check(new ClassFileImporter().importPackages("com.acme.drafts"));
 * }</pre>
 *
 * <p>Allowed places are code marked {@link GovernedAiWork} (a class and everything nested in it, or
 * a method or constructor and the lambdas and classes declared in it), and the packages and types
 * named with {@link Builder#allowedInPackages} and {@link Builder#allowedInTypes}. The provider
 * packages are {@link #DEFAULT_PROVIDER_PACKAGES} unless {@link Builder#providerPackages} replaces
 * them. A call counts whether it is a method call, a constructor call, a field access or a method
 * reference.
 */
public final class AiGovernanceRules {

    /**
     * The SDKs of known model providers, in ArchUnit's package syntax ({@code ..} matches any
     * subpackage): OpenAI (the official SDK, Azure OpenAI, the community client), Anthropic, Amazon
     * Bedrock runtime, Google Vertex AI and Gen AI, LangChain4j's models and AI services, and Spring
     * AI's chat, embedding, image and audio clients and its provider modules. Local models (Ollama)
     * count too: a local_private provider still needs aigov's ALLOW.
     */
    public static final List<String> DEFAULT_PROVIDER_PACKAGES = List.of(
            "com.openai..",
            "com.azure.ai.openai..",
            "com.theokanning.openai..",
            "com.anthropic..",
            "software.amazon.awssdk.services.bedrockruntime..",
            "software.amazon.awssdk.services.bedrockagentruntime..",
            "com.google.cloud.vertexai..",
            "com.google.cloud.aiplatform..",
            "com.google.genai..",
            "dev.langchain4j.model..",
            "dev.langchain4j.service..",
            "org.springframework.ai.chat.client..",
            "org.springframework.ai.chat.model..",
            "org.springframework.ai.embedding..",
            "org.springframework.ai.image..",
            "org.springframework.ai.audio..",
            "org.springframework.ai.openai..",
            "org.springframework.ai.anthropic..",
            "org.springframework.ai.bedrock..",
            "org.springframework.ai.vertexai..",
            "org.springframework.ai.ollama..");

    private AiGovernanceRules() {
    }

    /** The rule with the default provider packages, allowing calls only in {@link GovernedAiWork} code. */
    public static ArchRule noProviderCallsOutsideGuard() {
        return providerCalls().build();
    }

    /** A builder, to change the provider packages or to allow packages and types besides the annotation. */
    public static Builder providerCalls() {
        return new Builder();
    }

    /** Builder of the rule. Not thread-safe. */
    public static final class Builder {
        private final Set<String> providerPackages = new LinkedHashSet<>(DEFAULT_PROVIDER_PACKAGES);
        private final Set<String> allowedPackages = new LinkedHashSet<>();
        private final Set<String> allowedTypes = new LinkedHashSet<>();

        private Builder() {
        }

        /** Replaces the provider packages (ArchUnit syntax, for example {@code "com.acme.llm.."}). */
        public Builder providerPackages(String... packages) {
            providerPackages.clear();
            return alsoProviderPackages(packages);
        }

        /** Adds provider packages to the ones already set: an in-house model gateway's client, say. */
        public Builder alsoProviderPackages(String... packages) {
            providerPackages.addAll(nonEmpty(packages, "providerPackages"));
            return this;
        }

        /** Code in these packages (ArchUnit syntax) runs inside the guard and may call providers. */
        public Builder allowedInPackages(String... packages) {
            allowedPackages.addAll(nonEmpty(packages, "allowedPackages"));
            return this;
        }

        /** Code in these types, and in the types nested in them, runs inside the guard and may call providers. */
        public Builder allowedInTypes(Class<?>... types) {
            Arrays.stream(types).map(Class::getName).forEach(allowedTypes::add);
            return this;
        }

        /** The rule. */
        public ArchRule build() {
            if (providerPackages.isEmpty()) {
                throw new IllegalStateException("the rule needs at least one provider package");
            }
            return ArchRuleDefinition.classes()
                    .should(new ProviderCallsOnlyInsideTheGuard(List.copyOf(providerPackages),
                            List.copyOf(allowedPackages), Set.copyOf(allowedTypes)))
                    .because("AI work may run only inside aigov's runIfAllowed, and code that does is marked "
                            + "@GovernedAiWork (or allowed by name)");
        }

        private static Collection<String> nonEmpty(String[] packages, String what) {
            if (packages.length == 0 || Arrays.stream(packages).anyMatch(p -> p == null || p.isBlank())) {
                throw new IllegalArgumentException(what + " needs one or more non-blank packages");
            }
            return Arrays.asList(packages);
        }
    }

    private static final class ProviderCallsOnlyInsideTheGuard extends ArchCondition<JavaClass> {
        private final DescribedPredicate<String> providerPackage;
        private final DescribedPredicate<String> allowedPackage;
        private final Set<String> allowedTypes;

        ProviderCallsOnlyInsideTheGuard(List<String> providerPackages, List<String> allowedPackages, Set<String> allowedTypes) {
            super("call AI providers (" + String.join(", ", providerPackages) + ") only inside the aigov guard");
            this.providerPackage = PackageMatchers.of(providerPackages);
            this.allowedPackage = allowedPackages.isEmpty() ? DescribedPredicate.alwaysFalse() : PackageMatchers.of(allowedPackages);
            this.allowedTypes = allowedTypes;
        }

        @Override
        public void check(JavaClass javaClass, ConditionEvents events) {
            if (providerPackage.test(javaClass.getPackageName()) || allowed(javaClass)) {
                return;
            }
            for (JavaCodeUnit codeUnit : javaClass.getCodeUnits()) {
                if (allowed(codeUnit)) {
                    continue;
                }
                List<JavaAccess<?>> calls = new ArrayList<>(codeUnit.getAccessesFromSelf());
                for (JavaAccess<?> call : calls) {
                    if (providerPackage.test(call.getTargetOwner().getPackageName())) {
                        events.add(SimpleConditionEvent.violated(call,
                                "AI provider called outside the aigov guard: " + call.getDescription()));
                    }
                }
            }
        }

        private boolean allowed(JavaClass javaClass) {
            for (JavaClass type = javaClass; type != null; type = enclosing(type)) {
                if (type.isAnnotatedWith(GovernedAiWork.class) || allowedTypes.contains(type.getName())
                        || allowedPackage.test(type.getPackageName())) {
                    return true;
                }
                Optional<JavaCodeUnit> declaredIn = type.getEnclosingCodeUnit();
                if (declaredIn.isPresent() && allowed(declaredIn.get())) {
                    return true;
                }
            }
            return false;
        }

        /** A marked method or constructor, or a lambda written in one (javac names it lambda$method$n). */
        private boolean allowed(JavaCodeUnit codeUnit) {
            if (codeUnit.isAnnotatedWith(GovernedAiWork.class)) {
                return true;
            }
            String name = codeUnit.getName();
            if (name.startsWith("lambda$")) {
                String declaringMethod = name.substring("lambda$".length(), Math.max(name.lastIndexOf('$'), "lambda$".length()));
                String methodName = "new".equals(declaringMethod) ? JavaConstructor.CONSTRUCTOR_NAME : declaringMethod;
                return codeUnit.getOwner().getCodeUnits().stream()
                        .anyMatch(other -> other.getName().equals(methodName) && other.isAnnotatedWith(GovernedAiWork.class));
            }
            return false;
        }

        private static JavaClass enclosing(JavaClass type) {
            return type.getEnclosingClass().orElse(null);
        }
    }
}
