package dev.aigov.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Puts {@code authorization: Bearer <token>} on every call attempt. The token is asked for on each
 * attempt, so a supplier can rotate it; a supplier that fails makes the call UNAUTHENTICATED (and so
 * a block), never a call without a credential.
 */
final class BearerTokenCredentials extends CallCredentials {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Supplier<String> token;

    BearerTokenCredentials(Supplier<String> token) {
        this.token = token;
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        String value;
        try {
            value = token.get();
        } catch (RuntimeException e) {
            applier.fail(Status.UNAUTHENTICATED.withDescription("the bearer token supplier failed").withCause(e));
            return;
        }
        if (value == null || value.isBlank()) {
            applier.fail(Status.UNAUTHENTICATED.withDescription("the bearer token supplier gave no token"));
            return;
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + value);
        applier.apply(headers);
    }
}
