package dev.aigov.server.change;

import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditLog;
import dev.aigov.server.error.VersionConflict;
import dev.aigov.server.evaluation.commit.DecisionStateLock;
import dev.aigov.server.storage.IdempotencyRepository;
import dev.aigov.server.storage.Transactions;
import dev.aigov.server.telemetry.Logs;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * A change of a versioned state (a workspace's policy, an execution control): idempotent by
 * request_id (AIP-155), guarded by an expected version (AIP-154), audited, all in one transaction,
 * in this order:
 * <ol>
 *   <li>the decision-state lock, held exclusively until the commit ({@link DecisionStateLock#forChange}):
 *       the decisions being recorded are waited for, and those decided from now on wait for this change;</li>
 *   <li>the request_id claimed: a retry of the same request gets the first call's result back, the
 *       state as that call left it, and nothing is written;</li>
 *   <li>the state's row locked and read, then the clock (so that times follow the order of versions);</li>
 *   <li>the expected version checked: {@link VersionConflict} when the state moved;</li>
 *   <li>the new state written at the next version, when it differs from the current one;</li>
 *   <li>the audit event, a change that changed nothing included;</li>
 *   <li>the idempotency record completed: the version in force, and whether the call changed it.</li>
 * </ol>
 * A state never changed has no row to lock, so two first writes can race: the loser's transaction
 * is rolled back and run again, and then sees the winner. After the commit, a result that changed
 * the state (a retry's included) is announced: one log line, with the request_id.
 */
public final class VersionedChange {
    private final DSLContext dsl;
    private final Clock clock;
    private final AuditLog log;

    public VersionedChange(DSLContext dsl, Clock clock, AuditLog log) {
        this.dsl = dsl;
        this.clock = clock;
        this.log = log;
    }

    /** A state with a version: 0 until its first change, one more with each change. */
    public interface Versioned {
        long version();
    }

    /** The state after a change, and whether the change (for a retry: the first call) changed it. */
    public record Result<S>(S state, boolean changed) {
    }

    /**
     * What identifies a change request.
     *
     * @param operation   the name its request_ids are claimed under
     * @param principal   who asks, as the audit event names them
     * @param workspaceId the audit event's workspace; empty for the global scope
     * @param fingerprint what it asks ({@link dev.aigov.server.storage.Fingerprint}): a reused request_id must ask the same
     */
    public record Request(String operation, String principal, String workspaceId, Optional<UUID> requestId,
            byte[] fingerprint, OptionalLong expectedVersion) {
    }

    /** One kind of state, and the change asked of it. */
    public interface Steps<S extends Versioned> {
        /** The state as it was at {@code version}: what a retry answers. */
        S atVersion(DSLContext tx, long version);

        /** The state's row, locked until the commit; empty when the state was never changed. */
        Optional<S> lockCurrent(DSLContext tx);

        /** The state of a scope never changed, at version 0. */
        S neverChanged();

        /** What a version conflict is about, for its message: "the policy of workspace 'acme'". */
        String subject();

        /** The state this change makes of {@code current}, changed at {@code now}; empty when current already is it. */
        Optional<S> next(S current, Instant now);

        /** Writes {@code next}, a new row when {@code first}; false when another transaction created that row first. */
        boolean save(DSLContext tx, S next, boolean first);

        /** The audit event that records the change of {@code before} to {@code after}. */
        AuditEvent event(AuditEvent.Header header, S before, S after, boolean changed);

        /** Logs the one line of a change that changed the state (the request_id is on it). */
        void announce(S changed);
    }

    /** Applies the change {@code steps} describe; {@code what} names it in a storage failure ("setting the workspace policy"). */
    public <S extends Versioned> Result<S> apply(String what, Request request, Steps<S> steps) {
        Result<S> result = Transactions.inTransactionRetrying(dsl, what, tx -> applyIn(tx, request, steps));
        if (result.changed()) {
            try (var ids = Logs.requestId(request.requestId())) {
                steps.announce(result.state());
            }
        }
        return result;
    }

    private <S extends Versioned> Result<S> applyIn(DSLContext tx, Request request, Steps<S> steps) {
        DecisionStateLock.forChange(tx);
        Optional<Result<S>> replay = replay(tx, request, steps);
        if (replay.isPresent()) {
            return replay.get();
        }
        Optional<S> locked = steps.lockCurrent(tx);
        Instant now = clock.instant();
        S current = locked.orElseGet(steps::neverChanged);
        OptionalLong expected = request.expectedVersion();
        if (expected.isPresent() && expected.getAsLong() != current.version()) {
            throw new VersionConflict(steps.subject(), expected.getAsLong(), current.version());
        }
        Optional<S> next = steps.next(current, now);
        if (next.isPresent() && !steps.save(tx, next.get(), locked.isEmpty())) {
            throw new Transactions.ConcurrentFirstWrite();
        }
        S after = next.orElse(current);
        boolean changed = next.isPresent();
        log.append(tx, steps.event(
                new AuditEvent.Header(UUID.randomUUID(), now, request.workspaceId(), request.principal(), request.requestId()),
                current, after, changed));
        request.requestId().ifPresent(id -> IdempotencyRepository.completeWithVersion(tx, id, after.version(), changed));
        return new Result<>(after, changed);
    }

    /** Claims the request_id; when it was claimed before by the same request, the first call's result. */
    private <S extends Versioned> Optional<Result<S>> replay(DSLContext tx, Request request, Steps<S> steps) {
        if (request.requestId().isEmpty()) {
            return Optional.empty();
        }
        return IdempotencyRepository.claim(tx, request.requestId().get(), request.operation(), request.fingerprint(), clock.instant())
                .map(prior -> new Result<>(steps.atVersion(tx, prior.version()), prior.changed()));
    }
}
