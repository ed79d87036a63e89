package dev.aigov.client;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Builder of an {@link AiGovernanceClient}. Only the target and the bearer token are required; the
 * defaults suit a service in a cluster: TLS with the system's trusted roots, round-robin over every
 * address the target resolves to, a {@value #DEFAULT_DEADLINE_MILLIS} ms deadline per decision
 * including retries, up to {@value #DEFAULT_MAX_ATTEMPTS} attempts on {@code UNAVAILABLE}, and
 * keepalive pings.
 *
 * <pre>{@code
 * AiGovernanceClient client = AiGovernanceClient.builder("dns:///aigov.internal:50051")
 *         .bearerToken(System.getenv("AIGOV_TOKEN"))
 *         .trustedCertificates(Path.of("/etc/aigov/ca.pem"))
 *         .build();
 * }</pre>
 */
public final class AiGovernanceClientBuilder {

    /** The default deadline of one decision, in milliseconds, retries included. */
    public static final long DEFAULT_DEADLINE_MILLIS = 500;

    /** The default most attempts of one call (the first and its retries). */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private final String target;
    private Supplier<String> bearerToken;
    private boolean plaintext;
    private Path trustedCertificates;
    private Path clientCertificateChain;
    private Path clientPrivateKey;
    private String authority;
    private Duration deadline = Duration.ofMillis(DEFAULT_DEADLINE_MILLIS);
    private Duration adminDeadline = Duration.ofSeconds(5);
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration keepAliveTime = Duration.ofSeconds(30);
    private Duration keepAliveTimeout = Duration.ofSeconds(10);
    private boolean keepAliveWithoutCalls = true;
    private Executor executor;
    private Duration catalogRefresh = Duration.ofMinutes(5);
    private OpenTelemetry openTelemetry;

    AiGovernanceClientBuilder(String target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * The bearer token sent as {@code authorization: Bearer <token>} on every call. Required (one of
     * the two forms).
     */
    public AiGovernanceClientBuilder bearerToken(String token) {
        Objects.requireNonNull(token, "token");
        return bearerToken(() -> token);
    }

    /**
     * A source of the bearer token, asked on every call attempt, for tokens that rotate. It must be
     * quick and thread-safe; when it fails or gives nothing, the call is a block.
     */
    public AiGovernanceClientBuilder bearerToken(Supplier<String> token) {
        this.bearerToken = Objects.requireNonNull(token, "token");
        return this;
    }

    /**
     * Talks without TLS: for a server on the same host or in a local compose setup only, since the
     * bearer token then travels in clear.
     */
    public AiGovernanceClientBuilder plaintext() {
        this.plaintext = true;
        return this;
    }

    /** Trusts the CA certificates in this PEM file instead of the system's roots. */
    public AiGovernanceClientBuilder trustedCertificates(Path caCertificatesPem) {
        this.trustedCertificates = Objects.requireNonNull(caCertificatesPem, "caCertificatesPem");
        return this;
    }

    /**
     * Presents this client certificate, for servers that require mutual TLS.
     *
     * @param certificateChainPem the certificate chain, PEM
     * @param privateKeyPem its private key, PKCS#8 PEM, unencrypted
     */
    public AiGovernanceClientBuilder clientCertificate(Path certificateChainPem, Path privateKeyPem) {
        this.clientCertificateChain = Objects.requireNonNull(certificateChainPem, "certificateChainPem");
        this.clientPrivateKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        return this;
    }

    /** The authority (host name) to check the server's certificate against, when it is not the target's. */
    public AiGovernanceClientBuilder overrideAuthority(String authority) {
        this.authority = Objects.requireNonNull(authority, "authority");
        return this;
    }

    /**
     * The deadline of one decision, retries included; past it the decision is a block. Default
     * {@value #DEFAULT_DEADLINE_MILLIS} ms.
     */
    public AiGovernanceClientBuilder deadline(Duration deadline) {
        this.deadline = positive(deadline, "deadline");
        return this;
    }

    /** The deadline of one operator call of {@link AiGovernanceAdmin}. Default 5 s. */
    public AiGovernanceClientBuilder adminDeadline(Duration adminDeadline) {
        this.adminDeadline = positive(adminDeadline, "adminDeadline");
        return this;
    }

    /**
     * The most attempts of one call on {@code UNAVAILABLE}, 1 (no retry) to 5. Default
     * {@value #DEFAULT_MAX_ATTEMPTS}. Every attempt carries the same request id.
     */
    public AiGovernanceClientBuilder maxAttempts(int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > 5) {
            throw new IllegalArgumentException("maxAttempts must be 1 to 5, not " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        return this;
    }

    /**
     * Keepalive pings: sent after {@code time} without reads, the connection dropped when no answer
     * comes within {@code timeout}, so that a dead connection is found before a decision waits on it.
     * Default 30 s and 10 s, on idle connections too ({@code withoutCalls}): the aigov server permits
     * pings every 10 s with or without calls. Behind a proxy that refuses frequent pings, lengthen
     * {@code time} or turn {@code withoutCalls} off.
     */
    public AiGovernanceClientBuilder keepAlive(Duration time, Duration timeout, boolean withoutCalls) {
        this.keepAliveTime = positive(time, "time");
        this.keepAliveTimeout = positive(timeout, "timeout");
        this.keepAliveWithoutCalls = withoutCalls;
        return this;
    }

    /**
     * The executor for the client's callbacks, and so for the continuations of the futures of
     * {@link AiGovernanceClient#evaluateAsync}. Default: gRPC's shared cached pool.
     */
    public AiGovernanceClientBuilder executor(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * How often {@link AiGovernanceClient#useCases()} refreshes its copy of the catalog in the
     * background, once it was first read. Default 5 minutes.
     */
    public AiGovernanceClientBuilder catalogRefresh(Duration every) {
        this.catalogRefresh = positive(every, "catalogRefresh");
        return this;
    }

    /**
     * Reports this client's calls through {@code openTelemetry} (off unless given): grpc-java's
     * standard client metrics ({@code grpc.client.call.duration}, {@code grpc.client.attempt.*}, by
     * method and status, from grpc-opentelemetry), and the caller's trace context with every call
     * (W3C {@code traceparent}, as its propagators say), so that aigov's span of each decision joins
     * the caller's trace.
     */
    public AiGovernanceClientBuilder openTelemetry(OpenTelemetry openTelemetry) {
        this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        return this;
    }

    /**
     * Builds the client and its channel, and starts connecting in the background (without waiting),
     * so that the first decision does not pay for the handshakes.
     *
     * @throws IllegalStateException if no bearer token was given, or plaintext was asked together
     *     with TLS files
     * @throws UncheckedIOException if a certificate or key file cannot be read
     */
    public AiGovernanceClient build() {
        if (bearerToken == null) {
            throw new IllegalStateException("AiGovernanceClient needs a bearer token");
        }
        if (plaintext && (trustedCertificates != null || clientCertificateChain != null)) {
            throw new IllegalStateException("plaintext() cannot be combined with TLS certificates");
        }
        ChannelCredentials credentials = CompositeChannelCredentials.create(
                plaintext ? InsecureChannelCredentials.create() : tls(),
                new BearerTokenCredentials(bearerToken));
        ManagedChannelBuilder<?> channel = Grpc.newChannelBuilder(target, credentials)
                .defaultServiceConfig(ServiceConfig.forAigov(maxAttempts))
                // A DNS TXT record must not switch retries or load balancing off.
                .disableServiceConfigLookUp()
                .enableRetry()
                .keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveWithoutCalls(keepAliveWithoutCalls)
                .userAgent("aigov-client/" + ClientVersion.VERSION);
        if (authority != null) {
            channel.overrideAuthority(authority);
        }
        if (executor != null) {
            channel.executor(executor);
        }
        if (openTelemetry != null) {
            GrpcOpenTelemetry.newBuilder().sdk(openTelemetry).build().configureChannelBuilder(channel);
            if (!TraceContextPropagation.grpcTracesCalls()) {
                channel.intercept(new TraceContextPropagation(openTelemetry.getPropagators().getTextMapPropagator()));
            }
        }
        ManagedChannel built = channel.build();
        // Connect now, in the background, so the first decision does not pay for DNS, TCP and TLS.
        built.getState(true);
        return new AiGovernanceClient(built, deadline, adminDeadline, catalogRefresh);
    }

    private ChannelCredentials tls() {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        try {
            if (trustedCertificates != null) {
                tls.trustManager(trustedCertificates.toFile());
            }
            if (clientCertificateChain != null) {
                tls.keyManager(clientCertificateChain.toFile(), clientPrivateKey.toFile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TLS certificates for aigov", e);
        }
        return tls.build();
    }

    private static Duration positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + duration);
        }
        return duration;
    }
}
