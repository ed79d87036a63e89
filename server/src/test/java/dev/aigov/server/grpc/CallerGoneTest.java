package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ErrorReason;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.ListUseCasesResponse;
import dev.aigov.server.config.OverloadConfig;
import dev.aigov.server.error.CallerGone;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call whose caller has gone (past its deadline, or cancelled) before aigov answered it ends as
 * {@link CallerGone}, CANCELLED, counted by the stage it got to, and never as an overload refusal.
 * In process: the interceptors and {@link Calls} are the point. (The audit writer's stage, with a
 * real scrape: {@code telemetry.CallerGoneEndToEndTest}.)
 */
class CallerGoneTest {
    private final BlockingQueue<CallerGone.Stage> gone = new LinkedBlockingQueue<>();
    private final AtomicInteger refusedForTheCaller = new AtomicInteger();
    private final AtomicInteger refusedAtLimit = new AtomicInteger();
    private final CallOutcomes outcomes = new CallOutcomes(new CallOutcomes.Listener() {
        @Override
        public void callerRefused(String method, Status.Code code, ErrorReason reason) {
            refusedForTheCaller.incrementAndGet();
        }

        @Override
        public void callerGone(String method, CallerGone.Stage stage) {
            gone.add(stage);
        }
    });
    private final OverloadLimiter limiter = OverloadLimiter.of(OverloadConfig.fixed(10), refusedAtLimit::incrementAndGet).orElseThrow();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final String name = "caller-gone-" + UUID.randomUUID();
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
        executor.shutdownNow();
    }

    @Test
    void aCallPastItsDeadlineBeforeItIsAdmittedIsGoneAtArrivalNotOverloaded() throws Exception {
        // Held before the limit until its deadline passes: as if it had queued in front of aigov.
        serve(List.of(outcomes, untilTheCallerHasGone(), limiter));

        assertThatThrownBy(() -> DecisionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                .listUseCases(ListUseCasesRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        failure -> assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        assertThat(gone.poll(10, TimeUnit.SECONDS)).isEqualTo(CallerGone.Stage.ARRIVAL);
        assertThat(refusedAtLimit).hasValue(0);
        assertThat(refusedForTheCaller).hasValue(0);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aCallCancelledWhileItWaitsForItsHandlerIsGoneWhileServingNotOverloaded() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        // Its request is in; its handler waits (as behind a busy executor) until the caller cancels.
        ServerInterceptor handlerHeldBack = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                    @Override
                    public void onHalfClose() {
                        awaitTheCallerGone(waiting);
                        super.onHalfClose();
                    }
                };
            }
        };
        serve(List.of(outcomes, limiter, handlerHeldBack));

        ListenableFuture<ListUseCasesResponse> answer = DecisionServiceGrpc.newFutureStub(channel)
                .listUseCases(ListUseCasesRequest.getDefaultInstance());
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        answer.cancel(true);

        assertThat(gone.poll(10, TimeUnit.SECONDS)).isEqualTo(CallerGone.Stage.SERVING);
        assertThat(refusedAtLimit).hasValue(0);
        assertThat(refusedForTheCaller).hasValue(0);
    }

    /** Holds each call before the next interceptor until its caller has gone. */
    private static ServerInterceptor untilTheCallerHasGone() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                awaitTheCallerGone(new CountDownLatch(1));
                return next.startCall(call, headers);
            }
        };
    }

    /** Waits until the current call's Context is cancelled; {@code waiting} counts down as it starts waiting. */
    private static void awaitTheCallerGone(CountDownLatch waiting) {
        CountDownLatch left = new CountDownLatch(1);
        Context.current().addListener(context -> left.countDown(), Runnable::run);
        waiting.countDown();
        try {
            assertThat(left.await(10, TimeUnit.SECONDS)).as("the caller left").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(List<ServerInterceptor> outermostFirst) throws IOException {
        DecisionServiceGrpc.DecisionServiceImplBase useCases = new DecisionServiceGrpc.DecisionServiceImplBase() {
            @Override
            public void listUseCases(ListUseCasesRequest request, StreamObserver<ListUseCasesResponse> observer) {
                Calls.unary("ListUseCases", observer, ListUseCasesResponse::getDefaultInstance);
            }
        };
        server = InProcessServerBuilder.forName(name).executor(executor)
                .addService(ServerInterceptors.interceptForward(useCases, outermostFirst))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }
}
