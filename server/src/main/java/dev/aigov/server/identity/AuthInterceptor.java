package dev.aigov.server.identity;

import dev.aigov.server.audit.DeniedMutations;
import dev.aigov.server.error.AigovException;
import dev.aigov.server.error.NotAuthenticated;
import dev.aigov.server.grpc.StatusMapping;
import dev.aigov.server.storage.Transactions;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import org.jooq.DSLContext;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Requires {@code authorization: Bearer <token>} on every call of aigov's own services and puts the
 * token's {@link Principal} in the call's context. Health and reflection are not intercepted.
 * Refused mutations are audited.
 */
public final class AuthInterceptor implements ServerInterceptor {
    static final Context.Key<Principal> PRINCIPAL = Context.key("aigov.principal");
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "bearer ";

    private final PrincipalLookup principals;
    private final DeniedMutations deniedMutations;
    private final Set<String> mutationMethods;

    public AuthInterceptor(PrincipalLookup principals, DeniedMutations deniedMutations, Set<String> mutationMethods) {
        this.principals = principals;
        this.deniedMutations = deniedMutations;
        this.mutationMethods = Set.copyOf(mutationMethods);
    }

    /** The authenticated principal of the current call. */
    public static Principal currentPrincipal() {
        Principal principal = PRINCIPAL.get();
        if (principal == null) {
            throw new IllegalStateException("no principal in this call's context: is the service behind AuthInterceptor?");
        }
        return principal;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Principal principal;
        try {
            principal = authenticate(headers.get(AUTHORIZATION));
        } catch (AigovException failure) {
            String method = call.getMethodDescriptor().getFullMethodName();
            StatusRuntimeException status = StatusMapping.toStatus(failure);
            if (failure instanceof NotAuthenticated && mutationMethods.contains(method)) {
                deniedMutations.record(method, status.getStatus().getCode().name(), StatusMapping.reason(failure).name(), "", "", "",
                        Optional.empty());
            }
            call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, principal), call, headers, next);
    }

    private Principal authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw new NotAuthenticated(true, "missing credential: send the header 'authorization: Bearer <token>' "
                    + "(mint a token with: java -jar aigov-server.jar token create --name NAME --capability CAP)");
        }
        if (!authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            throw new NotAuthenticated(false, "the authorization header must be 'Bearer <token>'");
        }
        String token = authorization.substring(BEARER.length()).strip();
        if (!Tokens.wellFormed(token)) {
            throw new NotAuthenticated(false, "the bearer token is not an aigov token (aigov_ followed by 43 characters)");
        }
        return principals.findActive(Tokens.hash(token))
                .orElseThrow(() -> new NotAuthenticated(false, "the bearer token is unknown or revoked"));
    }

    /** Looks every token up in the database, per call: the naive path, and the fallback of the in-memory one. */
    public static PrincipalLookup fromDatabase(DSLContext dsl) {
        return hash -> Transactions.read(dsl, "checking the credential", ctx -> new PrincipalRepository(ctx).findActiveByTokenHash(hash));
    }
}
