package dev.aigov.client;

/** PolicyMode is a workspace's AI policy. */
public enum PolicyMode {
    /** All AI work is forbidden for the workspace. A workspace that never set a policy is disabled. */
    DISABLED,
    /** Approved use cases may run on {@link ProviderClass#LOCAL_PRIVATE} providers only. */
    PRIVATE_ONLY,
    /** A mode a newer server named that this client version does not know. Cannot be set. */
    UNRECOGNIZED
}
