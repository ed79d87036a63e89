package dev.aigov.core;

/** The trust class of a model provider; never a vendor name. */
public enum ProviderClass {
    LOCAL_PRIVATE, EXTERNAL_PUBLIC;

    /** The lower_snake word, as stored and shown to people. */
    public String word() {
        return Vocabulary.word(this);
    }
}
