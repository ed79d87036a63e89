package dev.aigov.client;

/** ActorKind says whether the actor behind a request is a person or a service. */
public enum ActorKind {
    /** A person, signed in to the calling product. */
    USER,
    /** A service or background job acting on its own. */
    SERVICE
}
