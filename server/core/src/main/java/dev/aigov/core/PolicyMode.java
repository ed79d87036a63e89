package dev.aigov.core;

import java.util.EnumSet;
import java.util.Set;

/** A workspace's AI policy. A workspace that never set one is {@link #DISABLED} at version 0. */
public enum PolicyMode {
    DISABLED(EnumSet.noneOf(ProviderClass.class)), PRIVATE_ONLY(EnumSet.of(ProviderClass.LOCAL_PRIVATE));

    private final Set<ProviderClass> permittedProviderClasses;

    PolicyMode(Set<ProviderClass> permittedProviderClasses) {
        this.permittedProviderClasses = Set.copyOf(permittedProviderClasses);
    }

    /** The provider classes this mode lets any approved use case reach. */
    public Set<ProviderClass> permittedProviderClasses() {
        return permittedProviderClasses;
    }

    /** Whether any mode permits this class: what a disabled workspace could reach once enabled. */
    public static boolean anyPermits(ProviderClass providerClass) {
        return java.util.Arrays.stream(values()).anyMatch(mode -> mode.permittedProviderClasses.contains(providerClass));
    }

    public String word() {
        return Vocabulary.word(this);
    }
}
