package dev.aigov.client;

/**
 * BlockReason is why a decision is a block. The first seven are the server's rules, in its
 * precedence order (the primary reason of a decision is the first failing rule). The four
 * {@code GOVERNANCE_*} reasons are this client's own: no trustworthy answer could be had, so the
 * client blocked, failing closed; each names a {@link FailureKind}, so that outages, a
 * misconfigured token and a bug in the calling code are counted apart.
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
     * Client side, {@link FailureKind#UNAVAILABLE}: aigov could not be asked or could not answer (an
     * outage, a timeout, an overloaded or unreachable server, TLS, a closed client, an answer this
     * client cannot trust). {@link AiDecision#failure()} says which.
     */
    GOVERNANCE_UNAVAILABLE,
    /**
     * Client side, {@link FailureKind#REJECTED_CALLER}: aigov refused the caller's token (no, bad or
     * revoked token; a missing capability; a workspace outside the token's). Fix the configuration.
     */
    GOVERNANCE_REJECTED_CALLER,
    /**
     * Client side, {@link FailureKind#REJECTED_REQUEST}: aigov refused the request as sent (a
     * malformed field, a reused request id). Fix the calling code.
     */
    GOVERNANCE_REJECTED_REQUEST,
    /**
     * Client side, {@link FailureKind#CLIENT_OUTDATED}: aigov answered in terms this client version
     * does not know, for example an ALLOW under a newer policy mode. Upgrade aigov-client.
     */
    GOVERNANCE_CLIENT_OUTDATED,
    /** A reason a newer server gave that this client version does not know. Still a block. */
    UNRECOGNIZED;

    /** True for the client's own reasons: no decision of the server's rules stands behind them. */
    public boolean isFailure() {
        return switch (this) {
            case GOVERNANCE_UNAVAILABLE, GOVERNANCE_REJECTED_CALLER, GOVERNANCE_REJECTED_REQUEST,
                    GOVERNANCE_CLIENT_OUTDATED -> true;
            default -> false;
        };
    }
}
