package dev.aigov.server.decision;

import java.util.Objects;

/** Who, on the caller's side, asked for the AI work. */
public record Actor(String id, ActorKind kind) {
    public Actor {
        Vocabulary.requireId("actor.id", id);
        Objects.requireNonNull(kind, "kind");
    }
}
