package dev.aigov.core;

/** The kind of data a caller intends to send to a model. */
public enum DataClassification {
    PRODUCT_KNOWLEDGE, OPERATIONAL_METADATA, WORKSPACE_CONFIGURATION, TENANT_CONFIGURATION, PERSONAL_DATA, SECRET;

    public String word() {
        return Vocabulary.word(this);
    }
}
