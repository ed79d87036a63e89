package dev.aigov.client;

/**
 * FailureKind says whose problem a failure is, so that a dashboard can count outages apart from
 * mistakes of the calling service. Every kind is a block: no failure ever yields an ALLOW.
 *
 * <p>{@link GovernanceFailure#kind()} gives it; a decision that failed carries it as its reason
 * ({@link #blockReason()}).
 */
public enum FailureKind {
    /**
     * aigov could not be asked or could not answer: an outage, a deadline, an overloaded or stale
     * server, an unreachable address, a TLS failure, a closed client, an answer this client cannot
     * trust. Asking again later may succeed. Status codes: everything not listed below.
     */
    UNAVAILABLE(BlockReason.GOVERNANCE_UNAVAILABLE),
    /**
     * aigov refused the caller: no, a bad or a revoked token ({@code UNAUTHENTICATED}), a token
     * without the capability or outside its workspaces ({@code PERMISSION_DENIED}), a host that
     * failed to authenticate too often ({@code RESOURCE_EXHAUSTED} with
     * {@link ErrorReason#TOO_MANY_FAILED_AUTHENTICATIONS}), or a token supplier that gave nothing.
     * A configuration problem: it lasts until the token is fixed.
     */
    REJECTED_CALLER(BlockReason.GOVERNANCE_REJECTED_CALLER),
    /**
     * aigov refused this request as sent: a malformed field ({@code INVALID_ARGUMENT}), a reused
     * request id ({@code ALREADY_EXISTS}), an unknown control key ({@code NOT_FOUND}), a stale
     * expected version ({@code ABORTED}), and {@code FAILED_PRECONDITION}, {@code OUT_OF_RANGE}.
     * Sending it again unchanged fails again: a bug in the calling code.
     */
    REJECTED_REQUEST(BlockReason.GOVERNANCE_REJECTED_REQUEST),
    /**
     * aigov answered in terms this client version does not know (an outcome, or an ALLOW under a
     * policy mode or execution state it cannot check): upgrade aigov-client. Made up by the client.
     */
    CLIENT_OUTDATED(BlockReason.GOVERNANCE_CLIENT_OUTDATED);

    private final BlockReason blockReason;

    FailureKind(BlockReason blockReason) {
        this.blockReason = blockReason;
    }

    /** The reason a decision that failed this way is blocked with. */
    public BlockReason blockReason() {
        return blockReason;
    }

    /** The kind of a status from aigov, given the ErrorInfo reason that came with it. */
    static FailureKind of(StatusCode code, ErrorReason reason) {
        return switch (code) {
            case UNAUTHENTICATED, PERMISSION_DENIED -> REJECTED_CALLER;
            case RESOURCE_EXHAUSTED -> reason == ErrorReason.TOO_MANY_FAILED_AUTHENTICATIONS ? REJECTED_CALLER : UNAVAILABLE;
            case INVALID_ARGUMENT, ALREADY_EXISTS, NOT_FOUND, ABORTED, FAILED_PRECONDITION, OUT_OF_RANGE -> REJECTED_REQUEST;
            case OK, CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS -> UNAVAILABLE;
        };
    }
}
