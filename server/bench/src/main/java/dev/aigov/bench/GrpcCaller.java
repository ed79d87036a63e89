package dev.aigov.bench;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link Caller} over gRPC: the target's channels, round-robin, one async stub each. */
final class GrpcCaller implements Caller {
    private final List<DecisionServiceGrpc.DecisionServiceStub> stubs;
    private final AtomicInteger next = new AtomicInteger();
    private final Duration deadline;

    GrpcCaller(Target target, String token, Duration deadline) {
        this.stubs = target.decisionStubs(token);
        this.deadline = deadline;
    }

    @Override
    public Duration deadline() {
        return deadline;
    }

    @Override
    public void send(Workload.Probe probe, long start, Tally tally, Runnable onDone) {
        stubs.get(Math.floorMod(next.getAndIncrement(), stubs.size())).withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                .evaluateAiRequest(probe.request(), new StreamObserver<>() {
                    private EvaluateAiRequestResponse response;

                    @Override
                    public void onNext(EvaluateAiRequestResponse value) {
                        response = value;
                    }

                    @Override
                    public void onError(Throwable error) {
                        tally.failed(start, System.nanoTime(), error);
                        // A call can fail inside send() (a closed channel); a closed loop whose next
                        // send fails the same way would recurse without bound on this thread.
                        ForkJoinPool.commonPool().execute(onDone);
                    }

                    @Override
                    public void onCompleted() {
                        tally.answered(start, System.nanoTime(), probe.expected(), response.getDecision());
                        onDone.run();
                    }
                });
    }
}
