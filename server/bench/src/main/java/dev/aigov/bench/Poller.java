package dev.aigov.bench;

import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.Outcome;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Asks one server the same question in a tight loop, one call in flight, each with a fresh
 * request_id, until the answer changes as expected; counts the failures seen meanwhile (a stale
 * replica answers UNAVAILABLE, which is right: it fails closed).
 */
final class Poller {
    private final Target server;
    private final Map<String, Long> failuresSeen = new TreeMap<>();
    private long answers;

    Poller(Target server) {
        this.server = server;
    }

    /** One answer: a decision, or the failure. */
    record Answer(Decision decision, StatusRuntimeException failure) {
        boolean allowed() {
            return decision != null && decision.getOutcome() == Outcome.OUTCOME_ALLOW;
        }

        boolean blockedFor(BlockReason reason) {
            return decision != null && decision.getOutcome() == Outcome.OUTCOME_BLOCK && decision.getReason() == reason;
        }

        boolean failedWith(Status.Code code) {
            return failure != null && failure.getStatus().getCode() == code;
        }
    }

    /** Thrown when the answer did not change within the timeout. */
    static final class TimedOut extends Exception {
        TimedOut(String what) {
            super(what, null, false, false);
        }
    }

    /**
     * Polls until {@code done} accepts an answer.
     *
     * @return the {@link System#nanoTime()} at which the first accepted answer arrived
     */
    long until(String token, EvaluateAiRequestRequest question, Predicate<Answer> done, Duration timeout, String what)
            throws TimedOut {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Answer answer = ask(token, question);
            long arrived = System.nanoTime();
            answers++;
            if (done.test(answer)) {
                return arrived;
            }
            if (answer.failure() != null && !answer.failedWith(Status.Code.UNAUTHENTICATED)) {
                failuresSeen.merge(ErrorDetails.describe(answer.failure()), 1L, Long::sum);
            }
        }
        throw new TimedOut(what + " did not happen within " + timeout.toMillis() + " ms");
    }

    private Answer ask(String token, EvaluateAiRequestRequest question) {
        try {
            return new Answer(server.decisionsBlocking(token).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .evaluateAiRequest(question.toBuilder().setRequestId(UUID.randomUUID().toString()).build()).getDecision(), null);
        } catch (StatusRuntimeException e) {
            return new Answer(null, e);
        }
    }

    /** Failures other than UNAUTHENTICATED seen while polling, by status code and ErrorInfo reason. */
    Map<String, Long> failuresSeen() {
        return failuresSeen;
    }

    long answers() {
        return answers;
    }
}
