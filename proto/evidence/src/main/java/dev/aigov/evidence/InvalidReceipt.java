package dev.aigov.evidence;

/** A receipt that does not prove what it was asked to: the reason, and a sentence for a person. */
public final class InvalidReceipt extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a receipt was refused. */
    public enum Reason {
        /** Not a receipt's form: an event or a checkpoint that does not parse. */
        MALFORMED,
        /** Signed by a key the verifier does not trust. */
        UNKNOWN_KEY,
        /** The checkpoint's signature is not its key's. */
        BAD_SIGNATURE,
        /** The event is not in the checkpoint's tree (an altered field, a wrong path). */
        NOT_INCLUDED,
        /** The event is not a decision. */
        NOT_A_DECISION,
        /** The decision is not an ALLOW. */
        NOT_ALLOWED,
        /** The receipt's validity ended. */
        EXPIRED,
        /** The decision is for another call: another provider class, classifications it did not allow, another workspace. */
        MISMATCH
    }

    private final Reason reason;

    public InvalidReceipt(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
