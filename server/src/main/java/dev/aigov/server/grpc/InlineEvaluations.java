package dev.aigov.server.grpc;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.server.evaluation.state.DecisionState;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;

import java.util.concurrent.Executor;

/**
 * Where a call runs: a DecisionService call whose token a current in-memory state holds runs
 * inline, on whichever thread delivers its callbacks, without a hand-off; every other call on the
 * server's default executor.
 *
 * <p>gRPC chooses on the default executor, so the first callback runs there and a later one that
 * finds the call idle on a transport thread. Nothing in an inline call may block (the state is in
 * memory, the answer comes from the audit writer), and a thread wake-up costs more than the
 * decision. A call that may need the database (an unknown token, a stale state) stays on the
 * default executor, never on the answer threads. Calls do not all start on the event loop: that
 * would serialise the decisions with the connection's I/O.
 */
public final class InlineEvaluations implements ServerCallExecutorSupplier {
    private static final Executor INLINE = Runnable::run;

    private final DecisionState state;

    public InlineEvaluations(DecisionState state) {
        this.state = state;
    }

    @Override
    public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
        if (!DecisionServiceGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName()) || !state.current()) {
            return null;
        }
        // Runs in the call's Context: the token hashed here is the one authentication reads.
        boolean held = BearerToken.of(headers).wellFormedHash().flatMap(state::principal).isPresent();
        return held ? INLINE : null;
    }
}
