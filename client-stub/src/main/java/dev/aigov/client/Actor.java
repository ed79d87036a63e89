package dev.aigov.client;

import java.util.Objects;

/**
 * Actor is who, on the caller's side, asked for the AI work; aigov records it in the audit trail.
 *
 * @param kind whether the actor is a person or a service
 * @param id the actor's id within the calling product, {@code [A-Za-z0-9._:-]{1,128}}
 */
public record Actor(ActorKind kind, String id) {

    /** Checks that both parts are given. */
    public Actor {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
    }

    /** A person signed in to the calling product. */
    public static Actor user(String id) {
        return new Actor(ActorKind.USER, id);
    }

    /** A service or background job acting on its own. */
    public static Actor service(String id) {
        return new Actor(ActorKind.SERVICE, id);
    }
}
