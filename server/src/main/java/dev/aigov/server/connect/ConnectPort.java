package dev.aigov.server.connect;

import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.grpc.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Connect port: HTTP/1.1 and HTTP/2 (prior knowledge in cleartext; ALPN {@code h2} or
 * {@code http/1.1} under TLS) on the gRPC port's address with its TLS, each request handed to
 * {@link ConnectHandler}. The transport limits are the gRPC port's: 64 KiB of headers, 1 MiB of
 * message, 1,000 streams per HTTP/2 connection.
 */
public final class ConnectPort implements AutoCloseable {
    /** How long a connection may carry nothing before it is closed (as long as the gRPC port lets a connection live). */
    static final Duration IDLE = Duration.ofMinutes(5);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listening;
    private final OwedAnswers owed;

    private ConnectPort(EventLoopGroup boss, EventLoopGroup workers, Channel listening, OwedAnswers owed) {
        this.boss = boss;
        this.workers = workers;
        this.listening = listening;
        this.owed = owed;
    }

    /** Listens where {@code config} says ({@link ServerConfig#ANY_FREE_PORT}: a free port), calling through {@code bridge}. */
    public static ConnectPort start(ServerConfig config, ConnectBridge bridge) {
        Optional<SslContext> tls = config.tls().map(ConnectPort::sslContext);
        OwedAnswers owed = new OwedAnswers();
        ConnectHandler.Served served = new ConnectHandler.Served(bridge, new AuthZen(bridge), owed);
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, Thread.ofPlatform().name("aigov-http-accept").daemon().factory(),
                NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, Thread.ofPlatform().name("aigov-http-", 1).daemon().factory(),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        // A connection with nothing read or written for the idle bound is closed (clients reconnect).
                        channel.pipeline().addLast(new IdleStateHandler(0, 0, IDLE.toSeconds(), TimeUnit.SECONDS), new ClosedWhenIdle());
                        if (tls.isPresent()) {
                            channel.pipeline().addLast(tls.get().newHandler(channel.alloc()), negotiated(served));
                        } else {
                            cleartext(channel.pipeline(), served);
                        }
                    }
                });
        int port = config.httpPort() == ServerConfig.ANY_FREE_PORT ? 0 : config.httpPort();
        try {
            Channel listening = bootstrap.bind(new InetSocketAddress(config.bindAddress(), port)).syncUninterruptibly().channel();
            return new ConnectPort(boss, workers, listening, owed);
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new UncheckedIOException(new IOException("could not listen on " + config.bindAddress() + ":" + port
                    + " (AIGOV_HTTP_PORT; 0 turns it off)", e));
        }
    }

    /** The port it listens on. */
    public int port() {
        return ((InetSocketAddress) listening.localAddress()).getPort();
    }

    /** Takes no new connections (the bridge then finishes the calls in flight). */
    public void stopListening() {
        listening.close().syncUninterruptibly();
    }

    /**
     * Stops listening, waits up to {@code grace} for the answers owed (a call that has finished is
     * answered, not cut off with its connection), then closes the connections.
     */
    public void shutdown(Duration grace) {
        stopListening();
        long started = System.nanoTime();
        try {
            owed.awaitPaid(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long left = Math.max(0, grace.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        boss.shutdownGracefully(0, left, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, left, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(1));
    }

    /** Closes the connection on the idle event. */
    private static final class ClosedWhenIdle extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, event);
            }
        }
    }

    private static void cleartext(ChannelPipeline pipeline, ConnectHandler.Served served) {
        HttpServerCodec http1 = http1Codec();
        // Upgrade (h2c) is declined, as a server may: the request is answered over HTTP/1.1. Prior knowledge is HTTP/2.
        HttpServerUpgradeHandler noUpgrade =
                new HttpServerUpgradeHandler(http1, protocol -> null, NettyTransport.MAX_INBOUND_MESSAGE_BYTES);
        pipeline.addLast(new CleartextHttp2ServerUpgradeHandler(http1, noUpgrade, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                ChannelPipeline h2 = channel.pipeline();
                h2.remove(HttpObjectAggregator.class);
                h2.remove(ConnectHandler.class);
                h2.addLast(http2Codec(), http2Streams(served));
            }
        }));
        pipeline.addLast(new HttpObjectAggregator(NettyTransport.MAX_INBOUND_MESSAGE_BYTES), new ConnectHandler(served, false));
    }

    private static ChannelHandler negotiated(ConnectHandler.Served served) {
        return new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    ctx.pipeline().addLast(http2Codec(), http2Streams(served));
                } else {
                    ctx.pipeline().addLast(http1Codec(), new HttpObjectAggregator(NettyTransport.MAX_INBOUND_MESSAGE_BYTES),
                            new ConnectHandler(served, false));
                }
            }
        };
    }

    private static HttpServerCodec http1Codec() {
        return new HttpServerCodec(new HttpDecoderConfig().setMaxHeaderSize(NettyTransport.MAX_INBOUND_METADATA_BYTES));
    }

    private static ChannelHandler http2Codec() {
        return Http2FrameCodecBuilder.forServer().initialSettings(Http2Settings.defaultSettings()
                .maxConcurrentStreams(NettyTransport.MAX_CALLS_PER_CONNECTION)
                .maxHeaderListSize(NettyTransport.MAX_INBOUND_METADATA_BYTES)).build();
    }

    private static ChannelHandler http2Streams(ConnectHandler.Served served) {
        return new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                        new HttpObjectAggregator(NettyTransport.MAX_INBOUND_MESSAGE_BYTES), new ConnectHandler(served, true));
            }
        });
    }

    private static SslContext sslContext(ServerConfig.Tls tls) {
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile())
                    .sslProvider(SslProvider.JDK)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2,
                            ApplicationProtocolNames.HTTP_1_1));
            if (tls.clientCa().isPresent()) {
                builder.trustManager(tls.clientCa().get().toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (javax.net.ssl.SSLException e) {
            throw new UncheckedIOException("could not read the TLS files for the HTTP port", e);
        }
    }
}
