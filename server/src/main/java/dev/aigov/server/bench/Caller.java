package dev.aigov.server.bench;

import dev.aigov.api.v1.EvaluateAiRequestResponse;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Sends one evaluate call asynchronously and records its answer, checked, in a {@link Tally}. */
final class Caller {
    private final Target target;
    private final String token;
    private final Duration deadline;

    Caller(Target target, String token, Duration deadline) {
        this.target = target;
        this.token = token;
        this.deadline = deadline;
    }

    Duration deadline() {
        return deadline;
    }

    /**
     * @param start  when the call started, or (open loop) was meant to start: latency counts from here
     * @param onDone runs once the call answered or failed, on a call-back thread
     */
    void send(Workload.Probe probe, long start, Tally tally, Runnable onDone) {
        target.decisions(token).withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                .evaluateAiRequest(probe.request(), new StreamObserver<>() {
                    private EvaluateAiRequestResponse response;

                    @Override
                    public void onNext(EvaluateAiRequestResponse value) {
                        response = value;
                    }

                    @Override
                    public void onError(Throwable error) {
                        tally.failed(start, System.nanoTime(), error);
                        onDone.run();
                    }

                    @Override
                    public void onCompleted() {
                        tally.answered(start, System.nanoTime(), probe.expected(), response.getDecision());
                        onDone.run();
                    }
                });
    }
}
