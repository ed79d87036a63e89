package dev.aigov.core;

/** The answer of a decision. */
public enum Outcome {
    ALLOW, BLOCK;

    public String word() {
        return Vocabulary.word(this);
    }
}
