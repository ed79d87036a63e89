package dev.aigov.server.bench;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server the load generator talks to: one or a few Netty channels (each one HTTP/2 connection),
 * used round-robin, and a small fixed pool for the call-backs so that a burst of answers cannot
 * grow threads without bound.
 */
final class Target implements AutoCloseable {
    private final String address;
    private final List<ManagedChannel> channels;
    private final ExecutorService callbacks;
    private final AtomicInteger next = new AtomicInteger();

    private Target(String address, List<ManagedChannel> channels, ExecutorService callbacks) {
        this.address = address;
        this.channels = channels;
        this.callbacks = callbacks;
    }

    /**
     * @param tlsCa the CA to trust for TLS, or null for plaintext
     */
    static Target connect(String address, Path tlsCa, int channelCount) {
        ChannelCredentials credentials;
        try {
            credentials = tlsCa == null ? InsecureChannelCredentials.create()
                    : TlsChannelCredentials.newBuilder().trustManager(tlsCa.toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the CA certificate " + tlsCa, e);
        }
        ExecutorService callbacks = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), runnable -> {
            Thread thread = new Thread(runnable, "bench-callback");
            thread.setDaemon(true);
            return thread;
        });
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < channelCount; i++) {
            channels.add(NettyChannelBuilder.forTarget(address, credentials).executor(callbacks).build());
        }
        return new Target(address, channels, callbacks);
    }

    String address() {
        return address;
    }

    /** The next channel, round-robin: spreads calls over the connections. */
    private ManagedChannel channel() {
        return channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
    }

    /** Sends {@code authorization: Bearer <token>} on every call of a stub. */
    static ClientInterceptor bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    DecisionServiceGrpc.DecisionServiceStub decisions(String token) {
        return DecisionServiceGrpc.newStub(channel()).withInterceptors(bearer(token));
    }

    DecisionServiceGrpc.DecisionServiceBlockingStub decisionsBlocking(String token) {
        return DecisionServiceGrpc.newBlockingStub(channel()).withInterceptors(bearer(token));
    }

    WorkspacePolicyServiceGrpc.WorkspacePolicyServiceBlockingStub policies(String token) {
        return WorkspacePolicyServiceGrpc.newBlockingStub(channel()).withInterceptors(bearer(token));
    }

    ExecutionControlServiceGrpc.ExecutionControlServiceBlockingStub controls(String token) {
        return ExecutionControlServiceGrpc.newBlockingStub(channel()).withInterceptors(bearer(token));
    }

    HealthGrpc.HealthBlockingStub health() {
        return HealthGrpc.newBlockingStub(channel());
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel channel : channels) {
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        callbacks.shutdownNow();
    }
}
