package dev.aigov.server.grpc;

import dev.aigov.server.config.ServerConfig;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The transport aigov serves on in production: Netty on the configured address, TLS when configured. */
public final class NettyTransport {
    /** The largest header list (all metadata of one call) the server accepts: 64 KiB. */
    public static final int MAX_INBOUND_METADATA_BYTES = 64 * 1024;
    /** The largest request message the server accepts: 1 MiB. */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 1 << 20;
    /**
     * Calls one connection may have open at once (HTTP/2 streams): far above what a client keeps in
     * flight, so that one connection cannot hold unbounded calls (health Watch streams never end).
     */
    public static final int MAX_CALLS_PER_CONNECTION = 1_000;

    private NettyTransport() {
    }

    /** A builder listening where {@code config} says, with the connection settings clients rely on. */
    public static NettyServerBuilder listening(ServerConfig config) {
        return NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.grpcPort()), credentials(config))
                // Clients keep connections alive through idle load balancers; allow their pings.
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                // Clients balance round-robin over DNS; recycling connections lets them find new replicas.
                .maxConnectionAge(5, TimeUnit.MINUTES)
                .maxConnectionAgeGrace(30, TimeUnit.SECONDS)
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                // Stated, not left to the default (8 KiB): a long authorization header reaches aigov and is answered
                // UNAUTHENTICATED; beyond this the transport refuses the call itself (README, "Errors").
                .maxInboundMetadataSize(MAX_INBOUND_METADATA_BYTES);
    }

    private static ServerCredentials credentials(ServerConfig config) {
        if (config.tls().isEmpty()) {
            return InsecureServerCredentials.create();
        }
        ServerConfig.Tls tls = config.tls().get();
        try {
            TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder()
                    .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile());
            if (tls.clientCa().isPresent()) {
                builder.trustManager(tls.clientCa().get().toFile())
                        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the TLS files", e);
        }
    }
}
