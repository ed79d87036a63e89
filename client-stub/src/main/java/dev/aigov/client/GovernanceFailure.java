package dev.aigov.client;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * GovernanceFailure says why no trustworthy answer came from aigov: its {@link #kind()} (whose
 * problem it is), the {@link #code()} of the call, and, when the server sent one, the
 * {@code google.rpc.ErrorInfo} reason and metadata (for example {@link ErrorReason#INVALID_FIELD}
 * with {@code field=actor.id}). No gRPC type appears here. Immutable and serializable.
 *
 * <p>A code the server never sent is made up on the client: {@code DEADLINE_EXCEEDED} for a
 * timeout, {@code UNAVAILABLE} for an unreachable server or a closed client, {@code UNAUTHENTICATED}
 * for a token supplier that gave nothing, and {@code INTERNAL} for an answer this client cannot read
 * or trust ({@link FailureKind#CLIENT_OUTDATED} when a newer client could).
 */
public final class GovernanceFailure implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final FailureKind kind;
    private final StatusCode code;
    private final ErrorReason errorReason;
    private final String errorReasonName;
    private final Map<String, String> errorMetadata;
    private final String description;

    private GovernanceFailure(FailureKind kind, StatusCode code, String errorReasonName,
            Map<String, String> errorMetadata, String description) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.code = Objects.requireNonNull(code, "code");
        if (code == StatusCode.OK) {
            throw new IllegalArgumentException("a failure cannot have the code OK");
        }
        this.errorReasonName = Objects.requireNonNull(errorReasonName, "errorReasonName");
        this.errorReason = ErrorReason.fromName(errorReasonName);
        this.errorMetadata = Map.copyOf(errorMetadata);
        this.description = Objects.requireNonNull(description, "description");
    }

    /**
     * A failure as aigov reports one: the kind follows from the code and the reason, as the client
     * maps them. For tests and test doubles; the client builds its own.
     *
     * @param errorReasonName the ErrorInfo reason, for example {@code ERROR_REASON_INVALID_FIELD};
     *     empty for none
     */
    public static GovernanceFailure of(StatusCode code, String errorReasonName, Map<String, String> errorMetadata,
            String description) {
        return new GovernanceFailure(FailureKind.of(code, ErrorReason.fromName(errorReasonName)), code,
                errorReasonName, errorMetadata, description);
    }

    /** An answer this client version cannot check: a block that names the upgrade. */
    static GovernanceFailure clientOutdated(String description) {
        return new GovernanceFailure(FailureKind.CLIENT_OUTDATED, StatusCode.INTERNAL, "", Map.of(),
                description + "; this is aigov-client " + ClientVersion.VERSION + ": upgrade aigov-client");
    }

    /** An answer that cannot be trusted (a server bug or a tampered answer), made up by the client. */
    static GovernanceFailure untrusted(String description) {
        return new GovernanceFailure(FailureKind.UNAVAILABLE, StatusCode.INTERNAL, "", Map.of(), description);
    }

    /**
     * An ALLOW whose receipt is missing or does not prove it ({@link ReceiptPolicy#STRICT}): an answer
     * this client cannot trust, {@link FailureKind#UNAVAILABLE}, code {@code INTERNAL}, with the
     * metadata {@code receipt} saying why ({@code missing}, or an {@code InvalidReceipt.Reason} in
     * lower case: {@code unknown_key}, {@code bad_signature}, {@code not_included}, {@code expired},
     * {@code mismatch}...).
     */
    static GovernanceFailure receiptRefused(String why, String description) {
        return new GovernanceFailure(FailureKind.UNAVAILABLE, StatusCode.INTERNAL, "", Map.of("receipt", why), description);
    }

    /**
     * aigov's signing keys could not be fetched, so an ALLOW's receipt could not be checked:
     * {@link FailureKind#UNAVAILABLE} with the fetch's code, metadata {@code receipt=keys_unavailable}.
     */
    static GovernanceFailure keysUnavailable(GovernanceFailure fetch) {
        java.util.Map<String, String> metadata = new java.util.HashMap<>(fetch.errorMetadata());
        metadata.put("receipt", "keys_unavailable");
        return new GovernanceFailure(FailureKind.UNAVAILABLE, fetch.code,
                fetch.errorReasonName, metadata, "cannot fetch aigov's signing keys to check the ALLOW's receipt ("
                        + fetch + ")");
    }

    /** Whose problem it is; the decision's reason is {@code kind().blockReason()}. */
    public FailureKind kind() {
        return kind;
    }

    /** The status code, for example {@code UNAVAILABLE} or {@code PERMISSION_DENIED}; never {@code OK}. */
    public StatusCode code() {
        return code;
    }

    /** The ErrorInfo reason; {@link ErrorReason#NONE} when the failure carried none. */
    public ErrorReason errorReason() {
        return errorReason;
    }

    /**
     * The ErrorInfo reason as sent, for example {@code ERROR_REASON_INVALID_CREDENTIAL}: a newer
     * server's reason that reads {@link ErrorReason#UNRECOGNIZED} keeps its name here. Empty when none.
     */
    public String errorReasonName() {
        return errorReasonName;
    }

    /** The ErrorInfo metadata, for example {@code field} or {@code capability}; empty when none. */
    public Map<String, String> errorMetadata() {
        return errorMetadata;
    }

    /** The status description, for a person; empty when there is none. */
    public String description() {
        return description;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GovernanceFailure that
                && kind == that.kind && code == that.code && errorReasonName.equals(that.errorReasonName)
                && errorMetadata.equals(that.errorMetadata) && description.equals(that.description);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, code, errorReasonName, errorMetadata, description);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(kind.name()).append(' ').append(code.name());
        if (!errorReasonName.isEmpty()) {
            text.append(' ').append(errorReasonName);
        }
        if (!errorMetadata.isEmpty()) {
            text.append(' ').append(errorMetadata);
        }
        if (!description.isEmpty()) {
            text.append(": ").append(description);
        }
        return text.toString();
    }
}
