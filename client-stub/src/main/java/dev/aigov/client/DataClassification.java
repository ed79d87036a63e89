package dev.aigov.client;

/**
 * DataClassification is a kind of data a caller intends to send to a model. A request declares
 * every kind it would send; a decision lists the declared kinds the use case does not permit.
 */
public enum DataClassification {
    /** The product's own documentation and help content. */
    PRODUCT_KNOWLEDGE,
    /** Metadata about operations: timings, counts, states. */
    OPERATIONAL_METADATA,
    /** The configuration of a workspace. */
    WORKSPACE_CONFIGURATION,
    /** The configuration of a managed tenant. */
    TENANT_CONFIGURATION,
    /** Data about a person. No use case permits it. */
    PERSONAL_DATA,
    /** A credential, key or other secret. No use case permits it. */
    SECRET,
    /**
     * A classification a newer server named that this client version does not know. Only ever read
     * from a decision; a request cannot declare it.
     */
    UNRECOGNIZED;

    /**
     * Its word in the audit trail and in receipts, for example {@code personal_data}.
     *
     * @throws IllegalArgumentException for {@link #UNRECOGNIZED}, which has none
     */
    public String word() {
        if (this == UNRECOGNIZED) {
            throw new IllegalArgumentException("UNRECOGNIZED has no word");
        }
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
