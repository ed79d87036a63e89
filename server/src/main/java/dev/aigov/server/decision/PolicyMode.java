package dev.aigov.server.decision;

import java.util.EnumSet;
import java.util.Set;

/** A workspace's AI policy. A workspace that never set one is {@link #DISABLED} at version 0. */
public enum PolicyMode {
    DISABLED(EnumSet.noneOf(ProviderClass.class)),
    PRIVATE_ONLY(EnumSet.of(ProviderClass.LOCAL_PRIVATE));

    private final Set<ProviderClass> permittedProviderClasses;

    PolicyMode(Set<ProviderClass> permittedProviderClasses) {
        this.permittedProviderClasses = Set.copyOf(permittedProviderClasses);
    }

    /** The provider classes this mode lets any approved use case reach. */
    public Set<ProviderClass> permittedProviderClasses() {
        return permittedProviderClasses;
    }

    public String word() {
        return Vocabulary.word(this);
    }
}
