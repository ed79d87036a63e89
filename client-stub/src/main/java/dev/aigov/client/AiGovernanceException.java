package dev.aigov.client;

import java.util.Objects;

/**
 * AiGovernanceException is thrown by the operator helpers of {@link AiGovernanceAdmin} when a call
 * fails: the change was not confirmed. It carries the failure (gRPC status and the server's
 * ErrorInfo reason), for example {@code ABORTED ERROR_REASON_VERSION_CONFLICT} with the version in
 * force in its metadata.
 *
 * <p>Decisions never throw it: {@link AiGovernanceClient#evaluate} turns every failure into a block.
 */
public final class AiGovernanceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient GovernanceFailure failure;

    /** Creates the exception for a failure. */
    public AiGovernanceException(String what, GovernanceFailure failure) {
        super(what + " failed: " + Objects.requireNonNull(failure, "failure"), failure.status().getCause());
        this.failure = failure;
    }

    /** Why the call failed. */
    public GovernanceFailure failure() {
        return failure;
    }
}
