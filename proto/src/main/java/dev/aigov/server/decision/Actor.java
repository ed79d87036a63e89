package dev.aigov.server.decision;

import dev.aigov.server.error.InvalidField;

/** Who, on the caller's side, asked for the AI work. */
public record Actor(String id, ActorKind kind) {
    public Actor {
        Vocabulary.requireId("actor.id", id);
        if (kind == null) {
            throw new InvalidField("actor.kind", "is required");
        }
    }
}
