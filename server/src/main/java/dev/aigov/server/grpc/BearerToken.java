package dev.aigov.server.grpc;

import dev.aigov.server.error.NotAuthenticated;
import dev.aigov.server.identity.Tokens;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;

import java.util.Locale;
import java.util.Optional;

/**
 * The bearer token of one call, checked and hashed once, by whichever asks first: the executor
 * choice ({@link InlineEvaluations}) or authentication ({@link AuthInterceptor}).
 *
 * <p>{@link #onEachCall()} carries it to both on the call's {@link Context}: grpc-java creates the
 * call's Context from its stream tracers ({@link ServerStreamTracer#filterContext}) before it looks
 * the method up and chooses the executor, and runs the executor choice, the interceptors and the
 * handler in that Context. A Context value is set only by the server; a client can send headers,
 * never Context values, so nothing here can be forged.
 */
public final class BearerToken {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<BearerToken> KEY = Context.key("aigov.bearer-token");
    private static final String BEARER = "bearer ";

    /** What the header holds: the token's hash, or why it holds none. */
    private record Checked(byte[] hash, NotAuthenticated refusal) {
    }

    private final String authorization;
    /** Set once, by the first thread that asks; a second that races it computes the same value. */
    private volatile Checked checked;

    private BearerToken(String authorization) {
        this.authorization = authorization;
    }

    /**
     * Puts each call's token on its Context. Only the header's value is kept: grpc-java's headers
     * may not be read once {@code newServerStreamTracer} has returned.
     */
    public static ServerStreamTracer.Factory onEachCall() {
        return new ServerStreamTracer.Factory() {
            @Override
            public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
                BearerToken token = new BearerToken(headers.get(AUTHORIZATION));
                return new ServerStreamTracer() {
                    @Override
                    public Context filterContext(Context context) {
                        return context.withValue(KEY, token);
                    }
                };
            }
        };
    }

    /**
     * The current call's token: from its Context, or (on a server built without {@link #onEachCall()},
     * where nothing is shared) read from {@code headers}.
     */
    static BearerToken of(Metadata headers) {
        BearerToken carried = KEY.get();
        return carried != null ? carried : new BearerToken(headers.get(AUTHORIZATION));
    }

    /**
     * The SHA-256 of the call's token.
     *
     * @throws NotAuthenticated when the call sent no header, or one that is no well-formed aigov token
     */
    byte[] hash() {
        Checked result = checked();
        if (result.refusal() != null) {
            throw result.refusal();
        }
        return result.hash();
    }

    /** The SHA-256 of the call's token when it is well formed. */
    Optional<byte[]> wellFormedHash() {
        return Optional.ofNullable(checked().hash());
    }

    private Checked checked() {
        Checked result = checked;
        if (result == null) {
            result = check(authorization);
            checked = result;
        }
        return result;
    }

    private static Checked check(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return refused(new NotAuthenticated(true, "missing credential: send the header 'authorization: Bearer <token>' "
                    + "(mint a token with: java -jar aigov-server.jar token create --name NAME --capability CAP)"));
        }
        if (!authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            return refused(new NotAuthenticated(false, "the authorization header must be 'Bearer <token>'"));
        }
        String token = authorization.substring(BEARER.length()).strip();
        if (!Tokens.wellFormed(token)) {
            return refused(new NotAuthenticated(false, "the bearer token is not an aigov token (aigov_ followed by 43 characters)"));
        }
        return new Checked(Tokens.hash(token), null);
    }

    private static Checked refused(NotAuthenticated refusal) {
        return new Checked(null, refusal);
    }
}
