package dev.aigov.client;

import dev.aigov.evidence.ReceiptVerifier;
import dev.aigov.evidence.SigningKeys;
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
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
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

    /** How far, by default, this host's clock may be ahead of aigov's when a receipt's expiry is judged. */
    public static final long DEFAULT_RECEIPT_CLOCK_SKEW_SECONDS = 5;

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
    private ReceiptPolicy receiptPolicy = ReceiptPolicy.STRICT;
    private SigningKeys.KeySet trustedKeys;
    private Duration receiptClockSkew = Duration.ofSeconds(DEFAULT_RECEIPT_CLOCK_SKEW_SECONDS);
    private Clock receiptClock = Clock.systemUTC();
    private Duration keyRefreshInterval = Duration.ofSeconds(1);
    private LongSupplier nanoTime = System::nanoTime;

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
     * Whether an ALLOW counts only with a valid receipt. Default {@link ReceiptPolicy#STRICT}: an
     * ALLOW whose receipt is missing, does not verify against aigov's signing keys, has expired, or
     * is for another request (workspace, tenant, use case, provider class, classifications, decision
     * id) is a block, and the guards do not run the work. {@link ReceiptPolicy#OFF} for a server
     * without evidence.
     */
    public AiGovernanceClientBuilder receipts(ReceiptPolicy policy) {
        this.receiptPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * Trusts these signing keys only (for example read from the {@code keys.json} that
     * {@code aigov-server keys list --json} prints, or shipped with the service), instead of
     * fetching them from the server with {@code EvidenceService.ListSigningKeys}. With pinned keys
     * the client never fetches keys, and a receipt signed by any other key does not verify: pin the
     * new key before the server rotates to it.
     */
    public AiGovernanceClientBuilder trustedKeys(SigningKeys.KeySet keys) {
        this.trustedKeys = Objects.requireNonNull(keys, "keys");
        return this;
    }

    /**
     * How far this host's clock may be ahead of aigov's: a receipt is accepted until its expiry plus
     * this. Default {@value #DEFAULT_RECEIPT_CLOCK_SKEW_SECONDS} s.
     */
    public AiGovernanceClientBuilder receiptClockSkew(Duration skew) {
        Objects.requireNonNull(skew, "skew");
        if (skew.isNegative()) {
            throw new IllegalArgumentException("receiptClockSkew must not be negative, not " + skew);
        }
        this.receiptClockSkew = skew;
        return this;
    }

    /** The clock receipts' expiry is judged by. For tests. */
    AiGovernanceClientBuilder receiptClock(Clock clock) {
        this.receiptClock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** The least time between two fetches of the signing keys (1 s), and the ticker that measures it. For tests. */
    AiGovernanceClientBuilder keyRefresh(Duration minInterval, LongSupplier nanoTime) {
        this.keyRefreshInterval = Objects.requireNonNull(minInterval, "minInterval");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
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
        SigningKeys.KeySet pinned = trustedKeys;
        ReceiptPolicy policy = receiptPolicy;
        Clock clock = receiptClock;
        Duration skew = receiptClockSkew;
        Duration refresh = keyRefreshInterval;
        LongSupplier ticker = nanoTime;
        Duration keysDeadline = deadline;
        return new AiGovernanceClient(built, deadline, adminDeadline, catalogRefresh, announced -> new ReceiptCheck(policy,
                new ReceiptVerifier(pinned != null ? ReceiptVerifier.KeySource.of(pinned)
                        : new PublishedKeys(announced, keysDeadline, refresh, ticker), clock, skew)));
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
