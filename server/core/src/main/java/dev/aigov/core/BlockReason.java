package dev.aigov.core;

/**
 * One rule a request failed. Declaration order is the precedence the contract states
 * ({@code BlockReason} in {@code proto/src/main/proto/aigov/v1/types.proto}): the primary reason of
 * a decision is the failing rule declared first.
 */
public enum BlockReason {
    AI_EXECUTION_PAUSED, WORKSPACE_POLICY_DISABLED, USE_CASE_NOT_APPROVED, PROVIDER_CLASS_NOT_PERMITTED, TENANT_CONTEXT_NOT_PERMITTED, SOURCE_FAMILY_NOT_PERMITTED, DATA_CLASSIFICATION_NOT_PERMITTED;

    public String word() {
        return Vocabulary.word(this);
    }
}
