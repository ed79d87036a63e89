package dev.aigov.server.grpc;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.FixedLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limiter.AbstractLimiter;
import com.netflix.concurrency.limits.limiter.AbstractPartitionedLimiter;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import dev.aigov.server.config.OverloadConfig;
import dev.aigov.server.error.CallerGone;
import dev.aigov.server.error.Overloaded;
import io.grpc.Context;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Answers {@code UNAVAILABLE} (OVERLOADED) at once when more calls are in flight than the server
 * can serve, instead of letting them queue until their deadlines pass (Netflix concurrency-limits:
 * its adaptive limit follows the latency the calls see). The control plane (policies and execution
 * controls) keeps a share of the limit that decisions cannot take, so an operator can pause AI
 * during an overload; health is not behind it at all. A call whose deadline already passed is not
 * admitted either: that is no overload refusal but a {@link CallerGone}, which {@link CallOutcomes} counts.
 */
public final class OverloadLimiter implements ServerInterceptor {
    static final String CONTROL = "control";
    static final String DATA = "data";
    /**
     * The adaptive limit's floor: under an overload the limit comes down to it, and the calls admitted
     * wait about 256 / 16,000 decisions/s = 16 ms. The limit starts at (and grows back to) its
     * ceiling, AIGOV_CONCURRENCY_LIMIT_MAX (1,000 by default): 60 ms of waiting at full speed, 200 ms
     * at 5,000/s, so that a stall of the database (a checkpoint's fsync) is waited out within the
     * client's 500 ms deadline rather than refused. (How these were chosen: docs/performance.md,
     * "Tuning history of the constants".)
     */
    static final int FLOOR = 256;
    private static final String AT_LIMIT = "admitting the call: the server is at its concurrency limit";
    private static final Set<String> CONTROL_SERVICES = Set.of(
            ExecutionControlServiceGrpc.SERVICE_NAME, WorkspacePolicyServiceGrpc.SERVICE_NAME);

    /** Each refusal, for the metrics. */
    @FunctionalInterface
    public interface Refusals {
        Refusals NONE = () -> {
        };

        /** A call was refused because the server was at its concurrency limit. */
        void refusedAtLimit();
    }

    private final Limiter<String> limiter;
    private final AbstractLimiter<String> limits;
    private final Refusals refusals;
    /** Built once: a refusal must cost next to nothing, or refusing takes the CPU the admitted calls need. */
    private final StatusRuntimeException atLimit = StatusMapping.toStatus(new Overloaded(AT_LIMIT));
    private final StatusRuntimeException gone = StatusMapping.toStatus(new CallerGone(CallerGone.Stage.ARRIVAL));

    private OverloadLimiter(AbstractLimiter<String> limiter, Refusals refusals) {
        this.limiter = limiter;
        this.limits = limiter;
        this.refusals = refusals;
    }

    /** The limiter {@code config} asks for; empty when it is off. */
    public static Optional<OverloadLimiter> of(OverloadConfig config, Refusals refusals) {
        return of(config, refusals, System::nanoTime);
    }

    /** The limiter {@code config} asks for, timing the calls by {@code nanoClock} (tests give it latencies of their choosing). */
    static Optional<OverloadLimiter> of(OverloadConfig config, Refusals refusals, LongSupplier nanoClock) {
        if (config.mode() == OverloadConfig.Mode.OFF) {
            return Optional.empty();
        }
        Limit limit = config.mode() == OverloadConfig.Mode.FIXED ? FixedLimit.of(config.limit()) : adaptive(config);
        AbstractLimiter<String> limiter = (AbstractLimiter<String>) new PartitionedBuilder()
                .named("aigov")
                .nanoClock(nanoClock)
                .limit(limit)
                .partitionResolver(partition -> partition)
                .partition(CONTROL, config.controlShare())
                .partition(DATA, 1 - config.controlShare())
                .build();
        return Optional.of(new OverloadLimiter(limiter, refusals));
    }

    /**
     * Gradient2 (the limit falls as the latency calls see rises above its long-run level, and grows
     * while it does not), fed per window rather than per call: group commit makes single latencies
     * jumpy (a call that just missed a batch waits for the next), and per-call samples let that
     * jitter drag the limit down at loads the server takes easily.
     * A latency up to twice the long-run one is tolerated; the limit never falls below
     * {@link #FLOOR} calls.
     */
    private static Limit adaptive(OverloadConfig config) {
        return WindowedLimit.newBuilder()
                .minWindowTime(250, TimeUnit.MILLISECONDS)
                .maxWindowTime(1, TimeUnit.SECONDS)
                .windowSize(100)
                .build(Gradient2Limit.newBuilder()
                        .initialLimit(config.limit())
                        .minLimit(Math.min(config.limit(), FLOOR))
                        .maxConcurrency(config.maxLimit())
                        .rttTolerance(2.0)
                        .longWindow(100)
                        .build());
    }

    /** The limit now. */
    public int limit() {
        return limits.getLimit();
    }

    /** Calls in flight now. */
    public int inFlight() {
        return limits.getInflight();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String partition = CONTROL_SERVICES.contains(call.getMethodDescriptor().getServiceName()) ? CONTROL : DATA;
        if (Context.current().isCancelled()) {
            // Its deadline passed on the way in (or its caller left): nobody waits for the answer.
            return refuse(call, gone);
        }
        Optional<Limiter.Listener> admitted = limiter.acquire(partition);
        if (admitted.isEmpty()) {
            refusals.refusedAtLimit();
            return refuse(call, atLimit);
        }
        Limiter.Listener slot = admitted.get();
        boolean streams = call.getMethodDescriptor().getType() != io.grpc.MethodDescriptor.MethodType.UNARY;
        AtomicBoolean released = new AtomicBoolean();
        ServerCall<Q, R> releasing = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                try {
                    super.close(status, trailers);
                } finally {
                    // A stream's length is its reader's, not the server's latency: it says nothing to the limit.
                    release(released, slot, streams ? Status.Code.CANCELLED : status.getCode());
                }
            }
        };
        try {
            ServerCall.Listener<Q> listener = next.startCall(releasing, headers);
            // A call cancelled by its client never closes through us: release its slot then.
            Context.current().addListener(context -> release(released, slot, Status.Code.CANCELLED), Runnable::run);
            return listener;
        } catch (RuntimeException e) {
            release(released, slot, Status.Code.CANCELLED);
            throw e;
        }
    }

    private static void release(AtomicBoolean released, Limiter.Listener slot, Status.Code code) {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        switch (code) {
            // The server could not keep up: the limit should come down.
            case DEADLINE_EXCEEDED, UNAVAILABLE -> slot.onDropped();
            // The client went away: says nothing of the server's latency.
            case CANCELLED -> slot.onIgnore();
            default -> slot.onSuccess();
        }
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, StatusRuntimeException refusal) {
        StatusMapping.close(call, refusal);
        return new ServerCall.Listener<>() {
        };
    }

    /** The library's partitioned limiter, over the partition's name. */
    private static final class PartitionedBuilder extends AbstractPartitionedLimiter.Builder<PartitionedBuilder, String> {
        @Override
        protected PartitionedBuilder self() {
            return this;
        }
    }
}
