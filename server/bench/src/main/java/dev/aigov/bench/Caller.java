package dev.aigov.bench;

import java.time.Duration;

/**
 * Sends one evaluate call asynchronously and records its answer, checked, in a {@link Tally}: over
 * gRPC ({@link GrpcCaller}) or over the Connect port ({@link ConnectCaller}), the same requests.
 */
interface Caller {
    /** Each call's deadline. */
    Duration deadline();

    /**
     * Sends {@code probe}'s request and records its answer or its error, checked against what it must get.
     *
     * @param start  when the call started, or (open loop) was meant to start: latency counts from here
     * @param onDone runs once the call answered or failed, on a call-back thread
     */
    void send(Workload.Probe probe, long start, Tally tally, Runnable onDone);
}
