package dev.aigov.client;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * AiGovernanceClient asks the aigov server, before any AI work, whether the work may proceed, and
 * fails closed: every error, timeout, cancellation, unreachable server, bad credential or unreadable
 * answer is a block, never an exception and never an allow. Each such block names its
 * {@link FailureKind}: an outage, a refused caller (token), a refused request (calling code), or an
 * answer only a newer client could check. The refusals and the outdated client are logged once per
 * cause at WARN, saying what to fix.
 *
 * <p>The one pattern: put the AI work inside the guard, so that it cannot start without an ALLOW.
 *
 * <pre>{@code
 * String draft = client.runIfAllowed(request, () -> model.complete(prompt));
 * }</pre>
 *
 * <p>On anything but an ALLOW the guard throws {@link AiExecutionBlockedException} without running
 * the work. {@link #evaluate} returns the decision itself, for a caller that shows reasons; then
 * check {@link AiDecision#allowed()}, and nothing else, before the work.
 *
 * <p>Each decision has a deadline ({@value AiGovernanceClientBuilder#DEFAULT_DEADLINE_MILLIS} ms by
 * default), retries included. A request without its own request id gets a fresh one per evaluation;
 * retries of {@code UNAVAILABLE} re-send it, so the server records one decision, not two.
 *
 * <p>An ALLOW counts only with a valid receipt ({@link ReceiptPolicy#STRICT}, the default): the
 * client checks it against aigov's published signing keys ({@code EvidenceService.ListSigningKeys},
 * fetched on first use, kept, and fetched again for a key id it does not know, at most once a
 * second) or against the keys the builder pinned ({@link AiGovernanceClientBuilder#trustedKeys}),
 * and turns an ALLOW whose receipt is missing, does not verify, has expired or is for another
 * request into its own block ({@link BlockReason#GOVERNANCE_UNAVAILABLE}, metadata {@code receipt}).
 * {@link AiDecision#receipt()} carries the receipt on to a model gateway, which checks it again
 * offline with {@link dev.aigov.evidence.ReceiptVerifier}.
 *
 * <p>Every call announces this library's version ({@link #version()}) in the
 * {@code aigov-client-version} header; the server records it with each decision.
 *
 * <p>Thread-safe. Build one client per process and share it; {@link #close()} it on shutdown.
 * Code that only asks and guards should depend on {@link AiGovernance}, which tests can replace.
 */
public final class AiGovernanceClient implements AiGovernance, AutoCloseable {

    private final ManagedChannel channel;
    private final Channel announced;
    private final Duration deadline;
    private final DecisionServiceGrpc.DecisionServiceBlockingStub blockingStub;
    private final DecisionServiceGrpc.DecisionServiceStub asyncStub;
    private final AiGovernanceAdmin admin;
    private final CatalogCache catalog;
    private final GovernanceWarnings warnings = new GovernanceWarnings();
    private final ReceiptCheck receipts;

    AiGovernanceClient(ManagedChannel channel, Duration deadline, Duration adminDeadline, Duration catalogRefresh,
            java.util.function.Function<Channel, ReceiptCheck> receipts) {
        this.channel = channel;
        this.announced = ClientInterceptors.intercept(channel, new ClientVersion());
        this.receipts = receipts.apply(announced);
        this.deadline = deadline;
        this.blockingStub = DecisionServiceGrpc.newBlockingStub(announced);
        this.asyncStub = DecisionServiceGrpc.newStub(announced);
        this.admin = new AiGovernanceAdmin(announced, adminDeadline);
        this.catalog = new CatalogCache(blockingStub, adminDeadline, catalogRefresh);
    }

    /**
     * A builder for a client of the server at {@code target}, a gRPC target such as
     * {@code dns:///aigov.internal:50051} (every address the name resolves to, round-robin) or
     * {@code 127.0.0.1:50051}.
     */
    public static AiGovernanceClientBuilder builder(String target) {
        return new AiGovernanceClientBuilder(target);
    }

    /** This library's version, as it announces it to the server, for example {@code 0.2.0}. */
    public static String version() {
        return ClientVersion.VERSION;
    }

    @Override
    public AiDecision evaluate(AiRequest request) {
        UUID requestId = requestIdFor(request);
        try {
            EvaluateAiRequestResponse response = blockingStub
                    .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                    .evaluateAiRequest(ProtoMapping.toProto(request, requestId));
            return observed(receipts.check(ProtoMapping.toDecision(response, requestId), request));
        } catch (RuntimeException e) {
            return failed(requestId, e);
        }
    }

    @Override
    public CompletableFuture<AiDecision> evaluateAsync(AiRequest request) {
        UUID requestId = requestIdFor(request);
        CompletableFuture<AiDecision> result = new CompletableFuture<>();
        try {
            asyncStub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                    .evaluateAiRequest(ProtoMapping.toProto(request, requestId),
                            new DecisionObserver(request, requestId, result));
        } catch (RuntimeException e) {
            result.complete(failed(requestId, e));
        }
        return result;
    }

    /**
     * The catalog, read from the server on first use (waiting at most the admin deadline), then
     * kept and refreshed in the background (the builder's {@code catalogRefresh}, 5 minutes by
     * default) on one daemon thread that {@link #close()} stops. A refresh that fails keeps the last
     * copy; one that finds a use case retired logs it at ERROR.
     *
     * @throws AiGovernanceException if the catalog was never read and cannot be read now
     */
    @Override
    public UseCaseCatalog useCases() {
        return catalog.get();
    }

    /** The operator helpers, on the same channel. The token needs the operator capabilities. */
    public AiGovernanceAdmin admin() {
        return admin;
    }

    /**
     * The channel, for the generated stubs of {@code dev.aigov.api.v1} when the typed API is not
     * enough. It carries the bearer token, the client version, retries and load balancing; set a
     * deadline on every stub ({@code withDeadlineAfter}), and map failures yourself: this channel
     * does not fail closed.
     */
    public Channel channel() {
        return announced;
    }

    /**
     * Stops the catalog refresh and shuts the channel down, waiting up to 5 s for open calls. Calls
     * after close are blocks.
     */
    @Override
    public void close() {
        catalog.close();
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static UUID requestIdFor(AiRequest request) {
        return Objects.requireNonNull(request, "request").requestId().orElseGet(UUID::randomUUID);
    }

    private AiDecision failed(UUID requestId, Throwable error) {
        return observed(AiDecision.failed(requestId, ProtoMapping.toFailure(error)));
    }

    /** A failure the caller must fix is logged once per cause; every decision passes through here. */
    private AiDecision observed(AiDecision decision) {
        decision.failure().ifPresent(warnings::onFailure);
        return decision;
    }

    /** Completes the future exactly once: with the answer, or with the block for the failure. */
    private final class DecisionObserver
            implements ClientResponseObserver<EvaluateAiRequestRequest, EvaluateAiRequestResponse> {

        private final AiRequest request;
        private final UUID requestId;
        private final CompletableFuture<AiDecision> result;

        DecisionObserver(AiRequest request, UUID requestId, CompletableFuture<AiDecision> result) {
            this.request = request;
            this.requestId = requestId;
            this.result = result;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<EvaluateAiRequestRequest> call) {
            result.whenComplete((decision, error) -> {
                if (result.isCancelled()) {
                    call.cancel("the caller cancelled the decision", null);
                }
            });
        }

        @Override
        public void onNext(EvaluateAiRequestResponse response) {
            try {
                result.complete(observed(receipts.check(ProtoMapping.toDecision(response, requestId), request)));
            } catch (RuntimeException e) {
                result.complete(failed(requestId, e));
            }
        }

        @Override
        public void onError(Throwable error) {
            result.complete(failed(requestId, error));
        }

        @Override
        public void onCompleted() {
            // After onNext this does nothing; without it, there was no answer.
            if (!result.isDone()) {
                result.complete(failed(requestId,
                        io.grpc.Status.INTERNAL.withDescription("aigov closed the call without an answer").asException()));
            }
        }
    }
}
