package dev.aigov.client;

/**
 * BlockReason is why a decision is a block. The first seven are the server's rules, in its
 * precedence order (the primary reason of a decision is the first failing rule).
 * {@link #GOVERNANCE_UNAVAILABLE} is this client's own: no trustworthy answer could be had, so the
 * client blocked, failing closed.
 */
public enum BlockReason {
    /** {@code ai.execution} is paused globally or for this workspace. */
    AI_EXECUTION_PAUSED,
    /** The workspace's effective policy mode is disabled (a workspace that never set one is). */
    WORKSPACE_POLICY_DISABLED,
    /** The use case key is not in aigov's catalog. */
    USE_CASE_NOT_APPROVED,
    /** The provider class is not permitted by the policy mode and the use case. */
    PROVIDER_CLASS_NOT_PERMITTED,
    /** A tenant id was given for a use case that forbids tenant context. */
    TENANT_CONTEXT_NOT_PERMITTED,
    /** The source family is not the use case's. */
    SOURCE_FAMILY_NOT_PERMITTED,
    /** At least one declared classification is outside the use case's permitted set. */
    DATA_CLASSIFICATION_NOT_PERMITTED,
    /**
     * Client side: aigov could not be asked, or its answer could not be trusted (an error status, a
     * timeout, a cancellation, an unreachable server, a bad credential, an answer this client cannot
     * read). {@link AiDecision#failure()} says which.
     */
    GOVERNANCE_UNAVAILABLE,
    /** A reason a newer server gave that this client version does not know. Still a block. */
    UNRECOGNIZED
}
