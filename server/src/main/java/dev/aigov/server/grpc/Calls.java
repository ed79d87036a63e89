package dev.aigov.server.grpc;

import dev.aigov.core.Vocabulary;
import dev.aigov.server.audit.DeniedMutations;
import dev.aigov.server.error.CallerGone;
import dev.aigov.server.error.PermissionDenied;
import dev.aigov.server.identity.Principal;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one unary call: its answer, or its failure mapped to a status (a streaming call's failure too, {@link #fail}). An unexpected exception is
 * a bug: it is logged and answered UNAVAILABLE (never UNKNOWN or INTERNAL, never an allow).
 */
final class Calls {
    private static final Logger LOG = LoggerFactory.getLogger(Calls.class);

    private Calls() {
    }

    static <T> void unary(String method, StreamObserver<T> observer, Supplier<T> work) {
        unaryAsync(method, observer, () -> CompletableFuture.completedFuture(work.get()));
    }

    /**
     * Runs one unary call whose answer may come later: it is sent when the future completes, from the
     * thread that completes it; no thread waits for it meanwhile. The one place a call's failure
     * becomes its status.
     */
    static <T> void unaryAsync(String method, StreamObserver<T> observer, Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> answer;
        try {
            if (io.grpc.Context.current().isCancelled()) {
                // Its deadline passed (or its client left) before it was served: no work for nobody.
                throw new CallerGone(CallerGone.Stage.SERVING);
            }
            answer = work.get();
        } catch (RuntimeException failure) {
            answer = CompletableFuture.failedFuture(failure);
        }
        answer.whenComplete((response, failure) -> {
            if (failure == null) {
                observer.onNext(response);
                observer.onCompleted();
                return;
            }
            fail(method, observer, failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
        });
    }

    /** Ends a call (unary or streaming) with its failure's status; an unexpected one is logged and answered UNAVAILABLE. */
    static void fail(String method, StreamObserver<?> observer, Throwable cause) {
        Optional<StatusRuntimeException> status = StatusMapping.answerFor(cause);
        if (status.isPresent()) {
            observer.onError(status.get());
        } else {
            LOG.error("{} failed unexpectedly; answered UNAVAILABLE", method, cause);
            observer.onError(StatusMapping.unavailable(method + " failed unexpectedly; the failure was logged. Retry later."));
        }
    }

    /** Like {@link #unary}, and a refusal for want of a workspace the capability reaches is audited. */
    static <T> void mutation(String method, DeniedMutations deniedMutations, Principal principal, String workspaceId,
            StreamObserver<T> observer, Supplier<T> work) {
        unary(method, observer, () -> {
            try {
                return work.get();
            } catch (PermissionDenied denied) {
                recordDenied(deniedMutations, method, denied, principal, workspaceId);
                throw denied;
            }
        });
    }

    /**
     * Audits a mutation refused for what its caller may do (the capability, or the workspace it reaches):
     * {@code workspaceId} as the request named it, kept only when it is an id.
     */
    static void recordDenied(DeniedMutations deniedMutations, String method, PermissionDenied denied, Principal principal,
            String workspaceId) {
        String workspace = Vocabulary.ID.matcher(workspaceId).matches() ? workspaceId : "";
        deniedMutations.record(method, "PERMISSION_DENIED", StatusMapping.reason(denied).name(), denied.capability(),
                principal.name(), workspace, Optional.empty(), AuthInterceptor.currentPeer());
    }
}
