package dev.aigov.server.connect;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import dev.aigov.server.grpc.Peers;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The way in from the Connect port: an in-process server with the gRPC port's service definitions
 * (interceptors included), and a channel to it that carries each request's message as bytes.
 */
public final class ConnectBridge implements AutoCloseable {
    /**
     * The HTTP connection's remote address, {@code ip:port}: set by {@link #call} alone (a header of this
     * name from the network is removed first), read by the in-process server's tracer alone.
     */
    static final Metadata.Key<String> REMOTE_ADDRESS = Metadata.Key.of("aigov-bridge-remote-address", Metadata.ASCII_STRING_MARSHALLER);

    /** One unary method the port serves: its bytes-in, bytes-out descriptor and its messages' prototypes. */
    record Route(MethodDescriptor<byte[], byte[]> method, Message requestPrototype, Message responsePrototype) {
    }

    /** How a bridged call ended: its status, the response's bytes when it succeeded, its headers and trailers. */
    record Reply(Status status, Optional<byte[]> response, Metadata headers, Metadata trailers) {
    }

    private final Server server;
    private final ManagedChannel channel;
    private final Map<String, Route> unary;
    private final Map<String, MethodDescriptor.MethodType> streaming;

    private ConnectBridge(Server server, ManagedChannel channel, Map<String, Route> unary,
            Map<String, MethodDescriptor.MethodType> streaming) {
        this.server = server;
        this.channel = channel;
        this.unary = unary;
        this.streaming = streaming;
    }

    /**
     * Starts {@code builder} (the in-process server named {@code name}, given what the gRPC port's builder
     * is given: executors, stream tracers, instrumentation) with {@code services}, already behind their
     * interceptors, and opens a channel to it. {@code unintercepted} are the same services as bound, whose
     * generated messages read and write the JSON (a dynamic message of the schema's type where one is missing).
     */
    public static ConnectBridge start(InProcessServerBuilder builder, String name, List<ServerServiceDefinition> services,
            List<ServerServiceDefinition> unintercepted) {
        builder.addStreamTracerFactory(remoteAddressOnContext());
        // The interceptors wrap the request's marshaller: the generated messages are read off the services as they are bound.
        Map<String, MethodDescriptor<?, ?>> generated = new HashMap<>();
        unintercepted.forEach(service -> service.getMethods()
                .forEach(method -> generated.put(method.getMethodDescriptor().getFullMethodName(), method.getMethodDescriptor())));
        Map<String, Route> unary = new HashMap<>();
        Map<String, MethodDescriptor.MethodType> streaming = new HashMap<>();
        for (ServerServiceDefinition service : services) {
            builder.addService(service);
            for (ServerMethodDefinition<?, ?> definition : service.getMethods()) {
                MethodDescriptor<?, ?> method = definition.getMethodDescriptor();
                if (method.getType() != MethodDescriptor.MethodType.UNARY) {
                    streaming.put(method.getFullMethodName(), method.getType());
                    continue;
                }
                Descriptors.MethodDescriptor schema = schema(method);
                MethodDescriptor<?, ?> typed = generated.getOrDefault(method.getFullMethodName(), method);
                unary.put(method.getFullMethodName(), new Route(method.toBuilder(BYTES, BYTES).build(),
                        prototype(typed.getRequestMarshaller(), schema.getInputType()),
                        prototype(typed.getResponseMarshaller(), schema.getOutputType())));
            }
        }
        try {
            Server server = builder.build().start();
            // Direct: a reply is handed to the HTTP connection (which queues it on its own thread) by whichever thread completes the call.
            ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
            return new ConnectBridge(server, channel, Map.copyOf(unary), Map.copyOf(streaming));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the Connect port's in-process server", e);
        }
    }

    /** The route of {@code fullMethodName} ({@code aigov.v1.DecisionService/EvaluateAiRequest}), if it is a unary method served. */
    Optional<Route> route(String fullMethodName) {
        return Optional.ofNullable(unary.get(fullMethodName));
    }

    /** Whether {@code fullMethodName} is served, but streams (the Connect port serves unary methods only). */
    boolean streams(String fullMethodName) {
        return streaming.containsKey(fullMethodName);
    }

    /**
     * Calls {@code route} with {@code request} (the message's bytes) and {@code headers} (the HTTP
     * request's, already filtered), as the client at {@code remote}, within {@code timeout} if given.
     */
    CompletableFuture<Reply> call(Route route, byte[] request, Metadata headers, InetSocketAddress remote, Optional<Duration> timeout) {
        headers.removeAll(REMOTE_ADDRESS);
        headers.put(REMOTE_ADDRESS, remote.getAddress().getHostAddress() + "|" + remote.getPort());
        CallOptions options = timeout.map(t -> CallOptions.DEFAULT.withDeadlineAfter(t.toNanos(), TimeUnit.NANOSECONDS))
                .orElse(CallOptions.DEFAULT);
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        // Out of the HTTP thread's Context (none is attached; ROOT makes that explicit): no deadline or cancellation leaks in.
        Context.ROOT.run(() -> {
            ClientCall<byte[], byte[]> call = channel.newCall(route.method(), options);
            call.start(new ClientCall.Listener<>() {
                private Metadata responseHeaders = new Metadata();
                private byte[] response;

                @Override
                public void onHeaders(Metadata received) {
                    responseHeaders = received;
                }

                @Override
                public void onMessage(byte[] message) {
                    response = message;
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    reply.complete(new Reply(status, status.isOk() ? Optional.ofNullable(response) : Optional.empty(),
                            responseHeaders, trailers));
                }
            }, headers);
            call.request(2);
            call.sendMessage(request);
            call.halfClose();
        });
        return reply;
    }

    /** Takes no new calls; the ones in flight go on ({@link #awaitStopped}). */
    public void stopTaking() {
        server.shutdown();
    }

    /** Waits up to {@code grace} for the calls in flight, then cancels what is left and closes the channel. */
    public void awaitStopped(Duration grace) {
        server.shutdown();
        try {
            if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        channel.shutdownNow();
    }

    @Override
    public void close() {
        awaitStopped(Duration.ZERO);
    }

    /** The in-process server's tracer: the bridged call's peer is the HTTP connection's address. */
    private static ServerStreamTracer.Factory remoteAddressOnContext() {
        return new ServerStreamTracer.Factory() {
            @Override
            public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
                SocketAddress remote = parse(headers.get(REMOTE_ADDRESS));
                return new ServerStreamTracer() {
                    @Override
                    public Context filterContext(Context context) {
                        return Peers.bridgedFrom(context, remote);
                    }
                };
            }
        };
    }

    /** {@code ip|port} as the bridge wrote it; an unresolved placeholder if absent (no call of the bridge lacks it). */
    private static SocketAddress parse(String written) {
        if (written == null) {
            return InetSocketAddress.createUnresolved("unknown", 0);
        }
        int bar = written.lastIndexOf('|');
        try {
            // An IP literal (the bridge writes getHostAddress()): parsed, never looked up.
            return new InetSocketAddress(InetAddress.getByName(written.substring(0, bar)), Integer.parseInt(written.substring(bar + 1)));
        } catch (java.net.UnknownHostException | RuntimeException malformed) {
            return InetSocketAddress.createUnresolved("unknown", 0);
        }
    }

    /** The generated message when the marshaller tells it; otherwise a dynamic message of the schema's type (the same JSON). */
    private static Message prototype(MethodDescriptor.Marshaller<?> marshaller, Descriptors.Descriptor type) {
        if (marshaller instanceof MethodDescriptor.PrototypeMarshaller<?> typed && typed.getMessagePrototype() instanceof Message message) {
            return message;
        }
        return DynamicMessage.getDefaultInstance(type);
    }

    private static Descriptors.MethodDescriptor schema(MethodDescriptor<?, ?> method) {
        if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier) {
            return supplier.getMethodDescriptor();
        }
        throw new IllegalArgumentException("the Connect port serves protobuf methods only, not " + method.getFullMethodName());
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
}
