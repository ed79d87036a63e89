package dev.aigov.bench;

import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.GetExecutionControlRequest;
import dev.aigov.api.v1.GetExecutionControlResponse;
import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Puts the server in the state the mix expects, and refuses to load a server that is paused: the
 * generator never pauses or resumes anything, so a paused server stays paused, on purpose, until
 * an operator resumes it. Idempotent: a workspace already in its mode is left alone.
 */
final class Setup {
    /** Policy calls in flight during set-up: quick on a fresh database, gentle on a shared one. */
    private static final int PARALLEL = 16;

    private final Target target;
    private final String token;
    private final PrintWriter out;
    private final Set<String> missing = new ConcurrentSkipListSet<>();

    Setup(Target target, String token, PrintWriter out) {
        this.target = target;
        this.token = token;
        this.out = out;
    }

    void prepare(Workload workload) throws InterruptedException {
        refuseIfGloballyPaused();
        int changed = applyPolicies(workload);
        probeAllowed(workload);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the token lacks " + String.join(", ", missing)
                    + "; the benchmark needs ai.decisions.evaluate and workspace.ai_policy.manage (and ops.controls.view to check for a pause)");
        }
        out.printf("set-up: %d workspaces %s*, %d changed; about %.0f %% of requests should be allowed%n",
                workload.count(), workload.prefix(), changed, Workload.EXPECTED_ALLOW_SHARE * 100);
        out.flush();
    }

    private void refuseIfGloballyPaused() {
        try {
            GetExecutionControlResponse global = target.controls(token).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getExecutionControl(GetExecutionControlRequest.newBuilder().setControlKey("ai.execution").build());
            if (global.getEffectiveState() == ControlState.CONTROL_STATE_PAUSED) {
                throw new IllegalStateException("ai.execution is paused globally (\"" + global.getControl().getReason()
                        + "\", version " + global.getControl().getVersion() + "); the benchmark does not resume it: "
                        + "an operator must, with SetExecutionControl");
            }
        } catch (StatusRuntimeException e) {
            // Without ops.controls.view the probe below still finds a pause, from the answer's reason.
            if (missingCapability(e).isEmpty()) {
                throw e;
            }
            out.println("note: the token cannot read ai.execution (no ops.controls.view); a probe decision checks for a pause instead");
        }
    }

    private int applyPolicies(Workload workload) throws InterruptedException {
        AtomicInteger changed = new AtomicInteger();
        Semaphore slots = new Semaphore(PARALLEL);
        List<Future<?>> tasks = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int index : workload.indexes()) {
                slots.acquire();
                if (!missing.isEmpty()) {
                    slots.release();
                    break;
                }
                tasks.add(threads.submit(() -> {
                    try {
                        if (apply(workload.workspace(index), workload.mode(index))) {
                            changed.incrementAndGet();
                        }
                    } catch (StatusRuntimeException e) {
                        if (!noteMissingCapability(e)) {
                            throw e;
                        }
                    } finally {
                        slots.release();
                    }
                }));
            }
        }
        for (Future<?> task : tasks) {
            waitFor(task);
        }
        return changed.get();
    }

    /** Sets a workspace's policy unless it already has it; true when it changed. */
    private boolean apply(String workspace, PolicyMode mode) {
        var policies = target.policies(token).withDeadlineAfter(30, TimeUnit.SECONDS);
        PolicyMode current = policies.getWorkspacePolicy(GetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace).build())
                .getPolicy().getPolicyMode();
        if (current == mode) {
            return false;
        }
        return policies.setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(mode).setReason("aigov bench: the benchmark's request mix")
                .setRequestId(UUID.randomUUID().toString()).build()).getChanged();
    }

    /** One allowed request: checks the evaluate capability and that no pause (global or of the workspace) is on. */
    private void probeAllowed(Workload workload) {
        if (!missing.isEmpty()) {
            return;
        }
        DecisionServiceGrpc.DecisionServiceBlockingStub decisions = target.decisionsBlocking(token).withDeadlineAfter(10, TimeUnit.SECONDS);
        try {
            EvaluateAiRequestResponse answer = decisions.evaluateAiRequest(workload.allowedRequest());
            if (answer.getDecision().getOutcome() != Outcome.OUTCOME_ALLOW) {
                throw new IllegalStateException("a request that should be allowed was blocked: " + answer.getDecision().getMessage()
                        + " Resume AI execution (or fix the policy) before benchmarking; the benchmark changes no control.");
            }
        } catch (StatusRuntimeException e) {
            if (!noteMissingCapability(e)) {
                throw e;
            }
        }
    }

    /** Notes the capability a PERMISSION_DENIED names, for the error at the end; false for any other failure. */
    private boolean noteMissingCapability(StatusRuntimeException e) {
        Optional<String> capability = missingCapability(e);
        capability.ifPresent(missing::add);
        return capability.isPresent();
    }

    /** The capability a PERMISSION_DENIED names (from its ErrorInfo); empty for any other failure. */
    private static Optional<String> missingCapability(StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
            return Optional.empty();
        }
        String named = ErrorDetails.errorInfo(e).map(info -> info.getMetadataOrDefault("capability", info.getReason()))
                .orElse("a capability (" + e.getStatus().getDescription() + ")");
        return Optional.of(named);
    }

    private static void waitFor(Future<?> future) throws InterruptedException {
        try {
            future.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("set-up failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
