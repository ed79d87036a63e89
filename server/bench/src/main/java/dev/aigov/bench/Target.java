package dev.aigov.bench;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server the load generator talks to: one or a few Netty channels (each one HTTP/2 connection),
 * used round-robin. Answers are handled on Netty's event loops (direct executor), as grpc-java's
 * own benchmarks do: handing each answer to another thread would cost the generator more CPU
 * (wake-ups, context switches) than handling it.
 */
final class Target implements AutoCloseable {
    private final String address;
    private final List<ManagedChannel> channels;
    private final AtomicInteger next = new AtomicInteger();

    private Target(String address, List<ManagedChannel> channels) {
        this.address = address;
        this.channels = channels;
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
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < channelCount; i++) {
            // No transparent retries: a benchmark counts what the server answered, and retry buffering costs CPU.
            channels.add(NettyChannelBuilder.forTarget(address, credentials).directExecutor().disableRetry().build());
        }
        return new Target(address, channels);
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

    /** One async stub per channel, built once: the hot loop only adds a deadline per call. */
    List<DecisionServiceGrpc.DecisionServiceStub> decisionStubs(String token) {
        ClientInterceptor bearer = bearer(token);
        return channels.stream().map(channel -> DecisionServiceGrpc.newStub(channel).withInterceptors(bearer)).toList();
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
    }
}
