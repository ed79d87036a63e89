package dev.aigov.core;

/** Who, on the caller's side, asked for the AI work. */
public record Actor(String id, ActorKind kind) {
    public Actor {
        Vocabulary.requireId("actor.id", id);
        if (kind == null) {
            throw new InvalidRequest("actor.kind", "is required");
        }
    }
}
