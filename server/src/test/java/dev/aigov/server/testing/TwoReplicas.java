package dev.aigov.server.testing;

import dev.aigov.server.storage.Database;

/** Two servers (replicas) on one database, each with a real channel to it, and an admin token. */
public final class TwoReplicas implements AutoCloseable {
    public final TestServer a;
    public final TestServer b;
    public final Clients clientsA;
    public final Clients clientsB;
    public final String admin;

    public TwoReplicas(Database database) {
        this.a = TestServer.startOn(database);
        this.b = TestServer.startOn(database);
        this.clientsA = new Clients(a);
        this.clientsB = new Clients(b);
        this.admin = a.adminToken();
    }

    @Override
    public void close() {
        clientsA.close();
        clientsB.close();
        a.close();
        b.close();
    }
}
