package dev.aigov.server.grpc;

import dev.aigov.core.Vocabulary;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Reads the {@code aigov-client-version} header a client library announces itself with, and puts it,
 * normalised ({@link Vocabulary#clientVersion}: bounded, never trusted), on the call's
 * {@link Context}: {@link #current()} gives it to the services (recorded with each decision) and to
 * anything else that wants to count calls by client version.
 */
public final class ClientVersions implements ServerInterceptor {
    /** The request header aigov-client sends its version in. */
    public static final Metadata.Key<String> HEADER = Metadata.Key.of("aigov-client-version", Metadata.ASCII_STRING_MARSHALLER);

    private static final Context.Key<String> CLIENT_VERSION = Context.key("aigov.client-version");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        // Several values (a hostile or confused caller) are as untrustworthy as a malformed one.
        Iterable<String> announced = headers.getAll(HEADER);
        String version = "";
        if (announced != null) {
            var values = announced.iterator();
            String first = values.next();
            version = values.hasNext() ? Vocabulary.INVALID_CLIENT_VERSION : Vocabulary.clientVersion(first);
        }
        return Contexts.interceptCall(Context.current().withValue(CLIENT_VERSION, version), call, headers, next);
    }

    /**
     * The calling client's version, normalised: empty when it announced none (or outside a call),
     * {@value Vocabulary#INVALID_CLIENT_VERSION} when the header was not a version.
     */
    public static String current() {
        String version = CLIENT_VERSION.get();
        return version == null ? "" : version;
    }
}
