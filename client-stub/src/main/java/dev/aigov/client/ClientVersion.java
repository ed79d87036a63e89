package dev.aigov.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * This library's version, as the build wrote it, and the interceptor that announces it to aigov in
 * the {@code aigov-client-version} header of every call, so that the server can record which
 * client versions call it.
 */
final class ClientVersion implements ClientInterceptor {

    /** The version of this aigov-client, for example {@code 0.2.0}. */
    static final String VERSION = read();

    static final Metadata.Key<String> HEADER = Metadata.Key.of("aigov-client-version", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                headers.put(HEADER, VERSION);
                super.start(listener, headers);
            }
        };
    }

    private static String read() {
        try (InputStream in = ClientVersion.class.getResourceAsStream("aigov-client.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read aigov-client's version", e);
        }
    }
}
