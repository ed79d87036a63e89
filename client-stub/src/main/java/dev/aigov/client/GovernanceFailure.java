package dev.aigov.client;

import io.grpc.Status;
import java.util.Map;
import java.util.Objects;

/**
 * GovernanceFailure says why no trustworthy answer came from aigov: the gRPC status of the call
 * and, when the server sent one, the {@code google.rpc.ErrorInfo} reason and metadata (for example
 * {@code ERROR_REASON_INVALID_FIELD} with {@code field=actor.id}).
 *
 * <p>A status the server never sent is made up on the client: {@code DEADLINE_EXCEEDED} for a
 * timeout, {@code UNAVAILABLE} for an unreachable server, and {@code INTERNAL} for an answer this
 * client cannot read or trust (an unknown outcome, an allow without a decision id).
 *
 * @param status the gRPC status; never {@code OK}
 * @param errorReason the ErrorInfo reason, for example {@code ERROR_REASON_INVALID_CREDENTIAL}; empty
 *     when the status carried none
 * @param errorMetadata the ErrorInfo metadata; empty when none
 */
public record GovernanceFailure(Status status, String errorReason, Map<String, String> errorMetadata) {

    /** Checks the parts and copies the metadata. */
    public GovernanceFailure {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(errorReason, "errorReason");
        errorMetadata = Map.copyOf(errorMetadata);
    }

    /** The status code, for example {@code UNAVAILABLE} or {@code DEADLINE_EXCEEDED}. */
    public Status.Code code() {
        return status.getCode();
    }

    /** The status description; empty when there is none. */
    public String description() {
        return status.getDescription() == null ? "" : status.getDescription();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(status.getCode().name());
        if (!errorReason.isEmpty()) {
            text.append(' ').append(errorReason);
        }
        if (!errorMetadata.isEmpty()) {
            text.append(' ').append(errorMetadata);
        }
        if (status.getDescription() != null) {
            text.append(": ").append(status.getDescription());
        }
        return text.toString();
    }
}
