package dev.aigov.core;

/** A workspace's effective policy; version 0 means never set (disabled by default). */
public record PolicyStatus(PolicyMode mode, long version) {
    public static final PolicyStatus DEFAULT = new PolicyStatus(PolicyMode.DISABLED, 0);

    public boolean isDefault() {
        return version == 0;
    }
}
