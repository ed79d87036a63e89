package dev.aigov.client;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * AiGovernanceClient asks aigov, before any AI work, whether the work may proceed, and fails
 * closed: every error, timeout, cancellation, unreachable server, bad credential or unreadable
 * answer is a block, never an exception and never an allow.
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
 * <p>Thread-safe. Build one client per process and share it; {@link #close()} it on shutdown.
 */
public final class AiGovernanceClient implements AutoCloseable {

    private final ManagedChannel channel;
    private final Duration deadline;
    private final DecisionServiceGrpc.DecisionServiceBlockingStub blockingStub;
    private final DecisionServiceGrpc.DecisionServiceStub asyncStub;
    private final AiGovernanceAdmin admin;

    AiGovernanceClient(ManagedChannel channel, Duration deadline, Duration adminDeadline) {
        this.channel = channel;
        this.deadline = deadline;
        this.blockingStub = DecisionServiceGrpc.newBlockingStub(channel);
        this.asyncStub = DecisionServiceGrpc.newStub(channel);
        this.admin = new AiGovernanceAdmin(channel, adminDeadline);
    }

    /**
     * A builder for a client of the server at {@code target}, a gRPC target such as
     * {@code dns:///aigov.internal:50051} (every address the name resolves to, round-robin) or
     * {@code 127.0.0.1:50051}.
     */
    public static AiGovernanceClientBuilder builder(String target) {
        return new AiGovernanceClientBuilder(target);
    }

    /**
     * Asks for a decision, waiting at most the deadline. Never throws for anything that goes wrong
     * on the way: that is a block with reason {@link BlockReason#GOVERNANCE_UNAVAILABLE}.
     */
    public AiDecision evaluate(AiRequest request) {
        UUID requestId = requestIdFor(request);
        try {
            EvaluateAiRequestResponse response = blockingStub
                    .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                    .evaluateAiRequest(ProtoMapping.toProto(request, requestId));
            return ProtoMapping.toDecision(response, requestId);
        } catch (RuntimeException e) {
            return unavailable(requestId, e);
        }
    }

    /**
     * Asks for a decision without blocking. The future always completes normally, with the decision
     * (a block on any failure), within the deadline. Cancelling the future cancels the call.
     */
    public CompletableFuture<AiDecision> evaluateAsync(AiRequest request) {
        UUID requestId = requestIdFor(request);
        CompletableFuture<AiDecision> result = new CompletableFuture<>();
        try {
            asyncStub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                    .evaluateAiRequest(ProtoMapping.toProto(request, requestId), new DecisionObserver(requestId, result));
        } catch (RuntimeException e) {
            result.complete(unavailable(requestId, e));
        }
        return result;
    }

    /**
     * Asks for a decision and returns it only if it is an ALLOW.
     *
     * @throws AiExecutionBlockedException on anything but an ALLOW
     */
    public AiDecision requireAllowed(AiRequest request) {
        AiDecision decision = evaluate(request);
        if (!decision.allowed()) {
            throw new AiExecutionBlockedException(decision);
        }
        return decision;
    }

    /**
     * The guard: runs {@code work} only after an ALLOW, and returns what it returns.
     *
     * @throws AiExecutionBlockedException on anything but an ALLOW; the work did not run
     * @throws E whatever the work throws, unchanged
     */
    public <T, E extends Exception> T runIfAllowed(AiRequest request, GovernedWork<T, E> work) throws E {
        Objects.requireNonNull(work, "work");
        requireAllowed(request);
        return work.run();
    }

    /**
     * The asynchronous guard, for asynchronous work: calls {@code work} only after an ALLOW and
     * completes with the stage it returns. On anything but an ALLOW the future completes
     * exceptionally with {@link AiExecutionBlockedException} and {@code work} is never called.
     * {@code work} runs on the thread that receives the decision: it should start its work and
     * return, not block (see {@link #runIfAllowedAsync(AiRequest, Supplier, Executor)}).
     */
    public <T> CompletableFuture<T> runIfAllowedAsync(
            AiRequest request, Supplier<? extends CompletionStage<T>> work) {
        Objects.requireNonNull(work, "work");
        return evaluateAsync(request).thenCompose(decision -> {
            if (!decision.allowed()) {
                throw new AiExecutionBlockedException(decision);
            }
            return work.get();
        });
    }

    /**
     * The asynchronous guard, for blocking work: runs {@code work} on {@code executor} only after an
     * ALLOW. On anything but an ALLOW the future completes exceptionally with
     * {@link AiExecutionBlockedException} and {@code work} is never called.
     */
    public <T> CompletableFuture<T> runIfAllowedAsync(AiRequest request, Supplier<T> work, Executor executor) {
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(executor, "executor");
        return evaluateAsync(request).thenApplyAsync(decision -> {
            if (!decision.allowed()) {
                throw new AiExecutionBlockedException(decision);
            }
            return work.get();
        }, executor);
    }

    /** The operator helpers, on the same channel. The token needs the operator capabilities. */
    public AiGovernanceAdmin admin() {
        return admin;
    }

    /**
     * The channel, for the generated stubs of {@code dev.aigov.api.v1} when the typed API is not
     * enough. It carries the bearer token, retries and load balancing; set a deadline on every stub
     * ({@code withDeadlineAfter}), and map failures yourself: this channel does not fail closed.
     */
    public Channel channel() {
        return channel;
    }

    /** Shuts the channel down, waiting up to 5 s for open calls. Calls after close are blocks. */
    @Override
    public void close() {
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

    private static AiDecision unavailable(UUID requestId, Throwable error) {
        return AiDecision.unavailable(requestId, ProtoMapping.toFailure(error), null, null);
    }

    /** Completes the future exactly once: with the answer, or with the block for the failure. */
    private static final class DecisionObserver
            implements ClientResponseObserver<EvaluateAiRequestRequest, EvaluateAiRequestResponse> {

        private final UUID requestId;
        private final CompletableFuture<AiDecision> result;

        DecisionObserver(UUID requestId, CompletableFuture<AiDecision> result) {
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
                result.complete(ProtoMapping.toDecision(response, requestId));
            } catch (RuntimeException e) {
                result.complete(unavailable(requestId, e));
            }
        }

        @Override
        public void onError(Throwable error) {
            result.complete(unavailable(requestId, error));
        }

        @Override
        public void onCompleted() {
            // After onNext this does nothing; without it, there was no answer.
            result.complete(unavailable(requestId,
                    io.grpc.Status.INTERNAL.withDescription("aigov closed the call without an answer").asException()));
        }
    }
}
