/**
 * The Connect protocol (unary), on an HTTP port of its own ({@code AIGOV_HTTP_PORT}): {@code POST
 * /aigov.v1.<Service>/<Method>} with a JSON or binary protobuf body, over HTTP/1.1 or HTTP/2, for
 * callers without a gRPC stack (a browser, curl, PHP).
 *
 * <p>It is the same API, not a second one: {@link ConnectBridge} hands each request, as the bytes of
 * its message, to an in-process server holding the very service definitions, behind the very
 * interceptors, the gRPC port serves (authentication, the failed-authentication budget, the
 * concurrency limit, metrics, the audit). The HTTP connection's remote address travels with the call
 * as a header only the bridge sets (any such header from the network is dropped first), and a stream
 * tracer of the in-process server alone turns it into the call's peer ({@code Peers}).
 *
 * <p>Plain Netty 4.2 ({@code netty-codec-http}, {@code netty-codec-http2}) serves HTTP: it does
 * HTTP/1.1, HTTP/2 with prior knowledge in cleartext, and HTTP/2 or HTTP/1.1 by ALPN under TLS, on
 * one port, with the JDK's TLS. grpc-netty-shaded's Netty is relocated and internal to grpc-java; the
 * JDK's {@code HttpServer} speaks HTTP/1.1 only; Armeria would bring a second server framework
 * (and its own gRPC stack) for what three pipeline handlers do.
 */
package dev.aigov.server.connect;
