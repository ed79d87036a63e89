package dev.aigov.client;

import io.grpc.Status;
import java.io.Serial;
import java.util.Objects;

/**
 * AiGovernanceException is thrown by the operator helpers of {@link AiGovernanceAdmin}, and by
 * {@link AiGovernance#useCases()}, when a call fails: the change was not confirmed. It carries the
 * failure (kind, status code and the server's ErrorInfo reason), for example {@code ABORTED} with
 * {@link ErrorReason#VERSION_CONFLICT} and the version in force in its metadata. Serializable with
 * its failure.
 *
 * <p>Decisions never throw it: {@link AiGovernance#evaluate} turns every failure into a block.
 */
public final class AiGovernanceException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 2L;

    private final GovernanceFailure failure;

    /** Creates the exception for a failure. */
    public AiGovernanceException(String what, GovernanceFailure failure) {
        super(what + " failed: " + Objects.requireNonNull(failure, "failure"));
        this.failure = failure;
    }

    /**
     * Creates the exception for a failed call; its cause is what lay under the call's status (an
     * I/O or TLS error, say), not the gRPC exception, which cannot be serialized.
     */
    AiGovernanceException(String what, GovernanceFailure failure, Throwable error) {
        super(what + " failed: " + Objects.requireNonNull(failure, "failure"), Status.fromThrowable(error).getCause());
        this.failure = failure;
    }

    /** Why the call failed. */
    public GovernanceFailure failure() {
        return failure;
    }
}
