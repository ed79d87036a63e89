package dev.aigov.client;

/**
 * ProviderClass is the trust class of the model provider that would receive the data. It is never
 * a vendor name: classify the provider you call honestly, even where no policy permits it yet.
 */
public enum ProviderClass {
    /** A model that runs inside the platform's own trust boundary. */
    LOCAL_PRIVATE,
    /** A model operated by a third party. No policy mode permits it in this version of aigov. */
    EXTERNAL_PUBLIC;

    /** Its word in the audit trail and in receipts, for example {@code local_private}. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
