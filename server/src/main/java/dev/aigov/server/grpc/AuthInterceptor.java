package dev.aigov.server.grpc;

import dev.aigov.server.audit.DeniedMutations;
import dev.aigov.server.error.AigovException;
import dev.aigov.server.error.NotAuthenticated;
import dev.aigov.server.error.TooManyFailedAuthentications;
import dev.aigov.server.identity.FailedAuthentications;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.identity.PrincipalLookup;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;

import java.util.Optional;

/**
 * Requires {@code authorization: Bearer <token>} on every call of aigov's own services and puts the
 * token's {@link Principal} in the call's context ({@link Authorization}, next, checks what it may
 * call). Health and reflection are not intercepted. Refused mutations are audited. A peer that
 * fails to authenticate too often is refused before any database work ({@link FailedAuthentications}).
 * The token is the call's {@link BearerToken}, hashed once per call.
 */
public final class AuthInterceptor implements ServerInterceptor {
    static final Context.Key<Principal> PRINCIPAL = Context.key("aigov.principal");
    static final Context.Key<String> PEER = Context.key("aigov.peer");

    private final PrincipalLookup principals;
    private final DeniedMutations deniedMutations;
    private final FailedAuthentications failures;

    public AuthInterceptor(PrincipalLookup principals, DeniedMutations deniedMutations, FailedAuthentications failures) {
        this.principals = principals;
        this.deniedMutations = deniedMutations;
        this.failures = failures;
    }

    /** The current call's peer, as {@link Peers#of} names it; empty outside a call. */
    public static String currentPeer() {
        String peer = PEER.get();
        return peer == null ? "" : peer;
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
        String peer = Peers.of(call);
        try {
            principal = authenticate(BearerToken.of(headers), peer);
        } catch (AigovException failure) {
            String method = call.getMethodDescriptor().getFullMethodName();
            StatusRuntimeException status = StatusMapping.toStatus(failure);
            if (Authorization.isMutation(method)) {
                String code = status.getStatus().getCode().name();
                String reason = StatusMapping.reason(failure).name();
                if (failure instanceof TooManyFailedAuthentications) {
                    deniedMutations.count(method, code, reason, peer); // no database work for a throttled peer
                } else {
                    deniedMutations.record(method, code, reason, "", "", "", Optional.empty(), peer);
                }
            }
            StatusMapping.close(call, status);
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValues(PRINCIPAL, principal, PEER, peer), call, headers, next);
    }

    private Principal authenticate(BearerToken token, String peer) {
        byte[] hash;
        try {
            hash = token.hash();
        } catch (NotAuthenticated malformed) {
            spendBudget(peer);
            throw malformed;
        }
        boolean budgeted = !failures.recentlyValid(hash);
        if (budgeted) {
            spendBudget(peer);
        }
        Optional<Principal> principal;
        try {
            principal = principals.findActive(hash);
        } catch (RuntimeException notAFailedAuthentication) {
            if (budgeted) {
                failures.refund(peer);
            }
            throw notAFailedAuthentication;
        }
        if (principal.isEmpty()) {
            failures.forget(hash); // revoked since it last worked: from now on it costs budget like any other
            throw new NotAuthenticated(false, "the bearer token is unknown or revoked");
        }
        if (budgeted) {
            failures.refund(peer);
        }
        failures.succeeded(hash);
        return principal.get();
    }

    /** Spends one failed authentication's worth of the peer's budget up front; refuses when there is none. */
    private void spendBudget(String peer) {
        Optional<java.time.Duration> wait = failures.spend(peer);
        if (wait.isPresent()) {
            throw new TooManyFailedAuthentications(wait.get());
        }
    }
}
