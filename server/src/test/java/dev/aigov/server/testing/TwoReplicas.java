package dev.aigov.server.testing;

/**
 * Two servers (replicas) on one database, each with a real channel to it, and an admin token both
 * take: what {@code @WithAigovServer(replicas = 2)} gives a test class.
 */
public record TwoReplicas(TestServer a, TestServer b, Clients clientsA, Clients clientsB, String admin) {
}
