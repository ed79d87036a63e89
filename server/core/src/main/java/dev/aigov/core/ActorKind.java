package dev.aigov.core;

/** Whether the actor behind a request is a person or a service. */
public enum ActorKind {
    USER, SERVICE;

    public String word() {
        return Vocabulary.word(this);
    }
}
