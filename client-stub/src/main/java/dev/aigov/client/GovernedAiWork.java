package dev.aigov.client;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * GovernedAiWork marks the code that calls an AI model provider, and does so only inside
 * {@link AiGovernance#runIfAllowed} (or its async form): a class, or a method and the lambdas in
 * it. The architecture rule {@code AiGovernanceRules.noProviderCallsOutsideGuard()} (artifact
 * {@code aigov-client-testing}) fails the build when a provider SDK is called from anywhere else.
 *
 * <p>It is a declaration for reviewers and for the rule, not a runtime check: keep marked code
 * small, so that a reviewer can see the guard around every call in it.
 *
 * <pre>{@code
 * @GovernedAiWork
 * String draft(AiRequest request, String prompt) throws IOException {
 *     return governance.runIfAllowed(request, () -> model.complete(prompt));
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR})
public @interface GovernedAiWork {
}
