package dev.aigov.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;

/**
 * grpc-java's in-process transport, behind a class of its own: the modules that reuse this test-jar
 * (the bench, the clients) load TestServer and Clients without grpc-inprocess on their classpath.
 */
final class InProcess {
    private InProcess() {
    }

    static ServerBuilder<?> server(String name) {
        return InProcessServerBuilder.forName(name);
    }

    /**
     * Not {@code directExecutor()}: the server runs a held evaluation inline on the thread that
     * delivers it (here the caller's), and answers from its audit writer's threads; the channel's
     * own executor keeps a test's callbacks off those threads, as a socket would.
     */
    static ManagedChannel channel(String name) {
        return InProcessChannelBuilder.forName(name).build();
    }
}
