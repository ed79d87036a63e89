package dev.aigov.server.connect;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Connect unary call per HTTP request (a whole {@link FullHttpRequest}, of HTTP/1.1 or of one
 * HTTP/2 stream): the request checked as the Connect protocol says, its message handed to the
 * {@link ConnectBridge}, the call's outcome written back as the protocol says.
 */
final class ConnectHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String JSON = "application/json";
    static final String PROTO = "application/proto";
    /**
     * A message no protobuf parser reads (a field tag cut short): sent in place of a request body
     * that is not JSON, so that the call meets authentication before its parsing fails, as over gRPC.
     */
    static final byte[] UNPARSABLE = {(byte) 0xff};
    private static final Pattern TIMEOUT_MS = Pattern.compile("[0-9]{1,10}");
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    /** Headers of HTTP or of the Connect protocol itself, not the call's metadata. */
    private static final Set<String> NOT_METADATA = Set.of("host", "content-type", "content-length", "content-encoding", "connection",
            "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "http2-settings", "accept", "accept-encoding", "user-agent",
            "expect", "proxy-connection");

    private final ConnectBridge bridge;
    private final AuthZen authZen;
    private final OwedAnswers owed;
    /** On an HTTP/2 stream, where connection headers do not exist. */
    private final boolean http2;
    /** The last answer this handler's connection (or stream) is to be sent: the next is written after it. */
    private java.util.concurrent.CompletableFuture<Void> previous = java.util.concurrent.CompletableFuture.completedFuture(null);

    /** What every connection's handlers share: the bridge, its AuthZEN endpoints, the answers owed. */
    record Served(ConnectBridge bridge, AuthZen authZen, OwedAnswers owed) {
    }

    ConnectHandler(Served served, boolean http2) {
        this.bridge = served.bridge();
        this.authZen = served.authZen();
        this.owed = served.owed();
        this.http2 = http2;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = request.uri();
        int query = path.indexOf('?');
        String method = (query < 0 ? path : path.substring(0, query)).replaceFirst("^/", "");
        if (AuthZen.serves("/" + method)) {
            metadataOrRefuse(ctx, request, keepAlive).ifPresent(headers -> answer(ctx, authZen.answer(request, "/" + method, headers,
                    (InetSocketAddress) ctx.channel().remoteAddress(), base(ctx, request)), keepAlive));
            return;
        }
        if (!HttpMethod.POST.equals(request.method())) {
            FullHttpResponse refused = error(HttpResponseStatus.METHOD_NOT_ALLOWED, Status.Code.UNIMPLEMENTED,
                    "Connect unary calls are POST requests, not " + request.method());
            refused.headers().set(HttpHeaderNames.ALLOW, "POST");
            respond(ctx, refused, keepAlive);
            return;
        }
        Optional<ConnectBridge.Route> route = bridge.route(method);
        if (route.isEmpty()) {
            if (bridge.streams(method)) {
                respond(ctx, unsupportedMediaType(method + " streams: this port serves unary calls only"), keepAlive);
            } else {
                respond(ctx,
                        error(HttpResponseStatus.NOT_FOUND, Status.Code.UNIMPLEMENTED,
                                "no method " + (path.length() > 200 ? path.substring(0, 200) + "..." : path)
                                        + ": POST /aigov.v1.<Service>/<Method>, e.g. /aigov.v1.DecisionService/EvaluateAiRequest"),
                        keepAlive);
            }
            return;
        }
        String contentType = mediaType(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
        if (!JSON.equals(contentType) && !PROTO.equals(contentType)) {
            respond(ctx, unsupportedMediaType("Content-Type must be application/json or application/proto, not "
                    + request.headers().get(HttpHeaderNames.CONTENT_TYPE)), keepAlive);
            return;
        }
        String version = request.headers().get("connect-protocol-version");
        if (version != null && !version.equals("1")) {
            respond(ctx, badRequest("Connect-Protocol-Version must be 1 (got " + version + ")"), keepAlive);
            return;
        }
        String encoding = request.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            FullHttpResponse refused = error(HttpResponseStatus.NOT_IMPLEMENTED, Status.Code.UNIMPLEMENTED,
                    "Content-Encoding " + encoding + " is not supported: send the body uncompressed");
            refused.headers().set(HttpHeaderNames.ACCEPT_ENCODING, "identity");
            respond(ctx, refused, keepAlive);
            return;
        }
        Optional<Duration> timeout = Optional.empty();
        String timeoutMs = request.headers().get("connect-timeout-ms");
        if (timeoutMs != null) {
            if (!TIMEOUT_MS.matcher(timeoutMs).matches()) {
                respond(ctx, badRequest("Connect-Timeout-Ms must be a number of milliseconds, 1 to 10 digits (got " + timeoutMs + ")"),
                        keepAlive);
                return;
            }
            timeout = Optional.of(Duration.ofMillis(Long.parseLong(timeoutMs)));
        }
        Optional<Metadata> read = metadataOrRefuse(ctx, request, keepAlive);
        if (read.isEmpty()) {
            return;
        }
        Metadata headers = read.get();
        boolean json = JSON.equals(contentType);
        byte[] message;
        ConnectBridge.Route served = route.get();
        if (json) {
            Message.Builder builder = served.requestPrototype().newBuilderForType();
            try {
                PARSER.merge(request.content().toString(StandardCharsets.UTF_8), builder);
                message = builder.build().toByteArray();
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                // The caller is authenticated first (the budget counts a failure); then the JSON's own problem is the answer.
                String problem = "is not a " + served.requestPrototype().getDescriptorForType().getFullName() + " in JSON: "
                        + e.getMessage();
                answer(ctx, bridge.call(served, UNPARSABLE, headers, (InetSocketAddress) ctx.channel().remoteAddress(), timeout)
                        .thenApply(reply -> reply.status().getCode() == Status.Code.INVALID_ARGUMENT ? unparsable(method, problem)
                                : response(reply, served, true)),
                        keepAlive);
                return;
            }
        } else {
            message = ByteBufUtil.getBytes(request.content());
        }
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        answer(ctx, bridge.call(served, message, headers, remote, timeout).thenApply(reply -> response(reply, served, json)),
                keepAlive);
    }

    /** Answers at once (in turn after earlier answers): a refusal before any call. */
    private void respond(ChannelHandlerContext ctx, FullHttpResponse refusal, boolean keepAlive) {
        answer(ctx, java.util.concurrent.CompletableFuture.completedFuture(refusal), keepAlive);
    }

    /**
     * Writes {@code response} once it is there, after every earlier answer on this handler's connection:
     * an HTTP/1.1 client may send its next request before the first is answered, and gets the answers
     * in the order it asked (an HTTP/2 stream has a handler of its own).
     */
    private void answer(ChannelHandlerContext ctx, java.util.concurrent.CompletableFuture<FullHttpResponse> response,
            boolean keepAlive) {
        java.util.concurrent.CompletableFuture<FullHttpResponse> answered = response.exceptionally(
                failure -> error(HttpResponseStatus.INTERNAL_SERVER_ERROR, Status.Code.INTERNAL, "the call failed in the HTTP port"));
        owed.owe();
        synchronized (this) {
            previous = previous.thenCombine(answered, (ignored, written) -> {
                write(ctx, written, keepAlive);
                return null;
            });
        }
    }

    private FullHttpResponse response(ConnectBridge.Reply reply, ConnectBridge.Route route, boolean json) {
        FullHttpResponse response;
        if (reply.status().isOk() && reply.response().isPresent()) {
            byte[] body = reply.response().get();
            if (json) {
                try {
                    body = PRINTER.print(route.responsePrototype().getParserForType().parseFrom(body)).getBytes(StandardCharsets.UTF_8);
                } catch (InvalidProtocolBufferException e) {
                    return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, Status.Code.INTERNAL, "the server answered no "
                            + route.responsePrototype().getDescriptorForType().getFullName());
                }
            }
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, json ? JSON : PROTO);
        } else {
            Status status = reply.status().isOk() ? Status.INTERNAL.withDescription("the server answered no message") : reply.status();
            response = error(status, reply.trailers());
        }
        copy(reply.headers(), "", response);
        copy(reply.trailers(), "trailer-", response);
        return response;
    }

    /** The call's metadata as response headers ({@code trailer-} before a trailer's name); not gRPC's own. */
    private static void copy(Metadata metadata, String prefix, FullHttpResponse response) {
        for (String key : metadata.keys()) {
            if (key.startsWith("grpc-") || key.equals("content-type")) {
                continue;
            }
            if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                for (byte[] value : metadata.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
                    response.headers().add(prefix + key, Base64.getEncoder().withoutPadding().encodeToString(value));
                }
            } else {
                for (String value : metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
                    response.headers().add(prefix + key, value);
                }
            }
        }
    }

    /** The request's headers as the call's metadata; empty once a header that cannot be one is refused (400). */
    private Optional<Metadata> metadataOrRefuse(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        try {
            return Optional.of(metadata(request));
        } catch (IllegalArgumentException e) {
            respond(ctx, badRequest(e.getMessage()), keepAlive);
            return Optional.empty();
        }
    }

    /** The request's headers as the call's metadata, less HTTP's and the protocol's own (and any claim to be the bridge). */
    private static Metadata metadata(FullHttpRequest request) {
        Metadata metadata = new Metadata();
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (NOT_METADATA.contains(name) || name.startsWith("connect-") || name.startsWith("grpc-") || name.startsWith("x-http2-")
                    || name.startsWith(":") || name.equals(ConnectBridge.REMOTE_ADDRESS.name())) {
                continue;
            }
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                byte[] value;
                try {
                    value = Base64.getDecoder().decode(header.getValue().strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("header " + name + " must be base64 (a -bin header)", e);
                }
                metadata.put(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER), value);
            } else {
                metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), header.getValue());
            }
        }
        return metadata;
    }

    /** The URL this port is reached at, as the request names it ({@code Host}, or HTTP/2's authority). */
    private static String base(ChannelHandlerContext ctx, FullHttpRequest request) {
        io.netty.channel.Channel connection = ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel();
        boolean tls = connection.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null || host.isBlank()) {
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            host = (local.getAddress() instanceof java.net.Inet6Address ? "[" + local.getAddress().getHostAddress() + "]"
                    : local.getAddress().getHostAddress()) + ":" + local.getPort();
        }
        return (tls ? "https://" : "http://") + host;
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int parameters = contentType.indexOf(';');
        return (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip().toLowerCase(Locale.ROOT);
    }

    /** A body that is not the request message: INVALID_ARGUMENT with its ErrorInfo, as every error of the API has one. */
    private static FullHttpResponse unparsable(String method, String problem) {
        io.grpc.StatusRuntimeException refusal = dev.aigov.server.grpc.StatusMapping.unparsableRequest(method, problem);
        return error(refusal.getStatus(), refusal.getTrailers());
    }

    /** {@code status} as the Connect protocol writes an error: the HTTP status of its code, the JSON body with its details. */
    private static FullHttpResponse error(Status status, Metadata trailers) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(ConnectErrors.httpStatus(status.getCode())),
                Unpooled.wrappedBuffer(ConnectErrors.body(status, trailers)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON);
        return response;
    }

    private static FullHttpResponse badRequest(String message) {
        return error(HttpResponseStatus.BAD_REQUEST, Status.Code.INVALID_ARGUMENT, message);
    }

    private static FullHttpResponse unsupportedMediaType(String message) {
        FullHttpResponse refused = error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, Status.Code.UNKNOWN, message);
        refused.headers().set("accept-post", JSON + ", " + PROTO);
        return refused;
    }

    private static FullHttpResponse error(HttpResponseStatus status, Status.Code code, String message) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(ConnectErrors.body(code, message)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON);
        return response;
    }

    /** Writes one owed answer; it is paid once written, or at once if the connection has gone. */
    private void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            response.release();
            owed.paid();
            return;
        }
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (!http2) {
            HttpUtil.setKeepAlive(response, keepAlive);
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        written.addListener(done -> owed.paid());
        if (!http2 && !keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
