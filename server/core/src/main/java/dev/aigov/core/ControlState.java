package dev.aigov.core;

/** The state of an execution control such as {@code ai.execution}. */
public enum ControlState {
    ENABLED, PAUSED;

    public String word() {
        return Vocabulary.word(this);
    }
}
