package dev.aigov.server.preview;

import dev.aigov.core.Catalog;
import dev.aigov.core.ControlState;
import dev.aigov.core.ControlStatus;
import dev.aigov.core.InvalidRequest;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.PolicyStatus;
import dev.aigov.core.Rules;
import dev.aigov.core.Snapshot;
import dev.aigov.core.Vocabulary;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditLog;
import dev.aigov.server.control.ExecutionControlService;
import dev.aigov.server.error.Overloaded;
import dev.aigov.server.error.PermissionDenied;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.storage.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jooq.DSLContext;

/**
 * Previews a candidate change against the recorded trail: the decisions of the affected workspaces
 * in a window, replayed through the rules with the current catalog under the candidate state (the
 * rest of the state as recorded), counted as flips against their recorded outcomes. It reads in one
 * read-only transaction and changes nothing; a preview asked for by a caller then records one audit
 * event of its own.
 *
 * <p>Its work is bounded: at most {@code maxDecisions} decisions, and no later than the caller's
 * stop time (its deadline, less a margin); a preview that reaches either says so ({@link Preview#cutShort}).
 */
public final class ChangePreviews {
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
    /** Ten million decisions: tens of seconds on a small machine (docs/performance.md). */
    public static final long DEFAULT_MAX_DECISIONS = 10_000_000;
    /** How often (in decisions) the stop time is looked at. */
    private static final int CLOCK_EVERY = 1_024;

    private final DSLContext dsl;
    private final Supplier<Catalog> catalog;
    private final Clock clock;
    private final long maxDecisions;

    /**
     * @param catalog the catalog in force, asked once per preview (it may be reloaded between previews)
     */
    private final AuditLog log;
    private final java.util.concurrent.Semaphore running = new java.util.concurrent.Semaphore(1);

    public ChangePreviews(DSLContext dsl, Supplier<Catalog> catalog, Clock clock, long maxDecisions, AuditLog log) {
        this.dsl = dsl;
        this.log = log;
        this.catalog = catalog;
        this.clock = clock;
        this.maxDecisions = maxDecisions;
    }

    /**
     * A validated candidate policy: the workspace whose policy would be set to {@code mode}.
     */
    public static Candidate.Policy policyCandidate(String workspaceId, PolicyMode mode) {
        Vocabulary.requireId("workspace_id", workspaceId);
        if (mode == null) {
            throw new InvalidRequest("policy_mode", "is required: POLICY_MODE_DISABLED or POLICY_MODE_PRIVATE_ONLY");
        }
        return new Candidate.Policy(workspaceId, mode);
    }

    /** A validated candidate control change; {@code workspaceId} empty for the global scope. */
    public static Candidate.Control controlCandidate(String controlKey, String workspaceId, ControlState state) {
        ExecutionControlService.requireKnownKey(controlKey);
        String scope = Vocabulary.optionalId("workspace_id", workspaceId);
        if (state == null) {
            throw new InvalidRequest("state", "is required: CONTROL_STATE_ENABLED or CONTROL_STATE_PAUSED");
        }
        return new Candidate.Control(controlKey, scope, state);
    }

    /**
     * Previews a policy change for {@code principal}, whose workspace.ai_policy.view must reach the
     * workspace (as SetWorkspacePolicy's manage must), and records the preview.
     *
     * @param method the RPC's full name, for the audit event
     * @param since  the window's start; empty for {@link #DEFAULT_WINDOW} before now
     * @param budget how long the replay may take (the caller's deadline, less a margin)
     */
    public Preview previewPolicy(Principal principal, String method, Candidate.Policy candidate, Optional<Instant> since,
            Duration budget) {
        principal.requireReach(Capability.WORKSPACE_AI_POLICY_VIEW, "workspace_id", candidate.workspaceId());
        return previewAndRecord(principal, method, candidate, since, budget);
    }

    /**
     * Previews a control change for {@code principal} (ops.controls.view, checked with the method),
     * and records the preview. Platform tokens reach every workspace; a token limited to workspaces
     * reaches neither the global scope nor another workspace.
     */
    public Preview previewControl(Principal principal, String method, Candidate.Control candidate, Optional<Instant> since,
            Duration budget) {
        if (candidate.global() && principal.workspaces().isPresent()) {
            throw PermissionDenied.workspaceNotPermitted(principal.name(), Capability.OPS_CONTROLS_VIEW.key(), "workspace_id",
                    "(global)");
        }
        principal.requireReach(Capability.OPS_CONTROLS_VIEW, "workspace_id", candidate.workspaceId());
        return previewAndRecord(principal, method, candidate, since, budget);
    }

    private Preview previewAndRecord(Principal principal, String method, Candidate candidate, Optional<Instant> since,
            Duration budget) {
        Window window = window(since);
        // One preview at a time on a replica: each holds a pooled connection for its whole replay, and decisions and
        // changes (a pause under load above all) must always find one.
        if (!running.tryAcquire()) {
            throw new Overloaded("previewing a change (another preview is running on this replica)");
        }
        Preview preview;
        try {
            preview = replay(candidate, catalog.get(), window, Optional.of(clock.instant().plus(budget)));
        } finally {
            running.release();
        }
        Transactions.inTransaction(dsl, "recording the preview", tx -> {
            log.append(tx, event(principal, method, candidate, preview));
            return null;
        });
        return preview;
    }

    /** A window [start, end), both whole microseconds as PostgreSQL keeps times: what is asked is what is read. */
    public record Window(Instant start, Instant end) {
    }

    /** The window from {@code since} (default: a day ago) to now; {@code since} must be in the past. */
    public Window window(Optional<Instant> since) {
        Instant end = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant asked = since.orElse(end.minus(DEFAULT_WINDOW));
        Instant start = asked.truncatedTo(ChronoUnit.MICROS);
        if (start.isBefore(asked)) {
            start = start.plus(1, ChronoUnit.MICROS);
        }
        if (!start.isBefore(end)) {
            throw new InvalidRequest("since", "must be in the past (got " + asked + ")");
        }
        return new Window(start, end);
    }

    /**
     * Replays the window's decisions under {@code candidate} with {@code catalog}, in one read-only
     * transaction, and counts the flips. Records nothing.
     */
    public Preview replay(Candidate candidate, Catalog catalog, Window window, Optional<Instant> stopBy) {
        return Transactions.inTransaction(dsl, "previewing a change", tx -> {
            // The replay reads only; a read-only transaction makes that the database's promise too.
            tx.execute("SET TRANSACTION READ ONLY");
            ControlHistory history = candidate instanceof Candidate.Control control && control.state() == ControlState.ENABLED
                    ? ControlHistory.read(tx, control.controlKey(), window.end())
                    : ControlHistory.NONE;
            FlipTally tally = new FlipTally();
            boolean[] cutShort = {false};
            DecisionTrail.read(tx, candidate.workspace(), window.start(), window.end(), recorded -> {
                if (tally.replayed() >= maxDecisions || pastStop(tally.replayed(), stopBy)) {
                    cutShort[0] = true;
                    return false;
                }
                tally.add(recorded, Rules.evaluate(recorded.request(), stateUnder(candidate, history, recorded), catalog));
                return true;
            });
            return tally.result(window.start(), window.end(), cutShort[0], maxDecisions);
        });
    }

    private boolean pastStop(long replayed, Optional<Instant> stopBy) {
        return replayed % CLOCK_EVERY == 0 && stopBy.isPresent() && clock.instant().isAfter(stopBy.get());
    }

    /**
     * The state {@code recorded} is replayed on: the candidate where it applies, the rest as recorded.
     * A resume of one scope leaves the decision paused only if it was paused and the other scope was
     * paused too at that time (per the control's history).
     */
    static Snapshot stateUnder(Candidate candidate, ControlHistory history, TrailDecision recorded) {
        PolicyStatus policy = recorded.policy();
        boolean paused = recorded.paused();
        switch (candidate) {
            case Candidate.Policy change -> policy = new PolicyStatus(change.mode(), recorded.policy().version());
            case Candidate.Control change when change.state() == ControlState.PAUSED -> paused = true;
            case Candidate.Control change -> paused = recorded.paused() && history.pausedAt(
                    change.global() ? recorded.request().workspaceId() : "", recorded.occurredAt());
            case Candidate.AsRecorded ignored -> {
            }
        }
        ControlStatus control = new ControlStatus(paused ? ControlState.PAUSED : ControlState.ENABLED, recorded.controlVersion());
        return new Snapshot(control, ControlStatus.NEVER_CHANGED, policy);
    }

    private AuditEvent event(Principal principal, String method, Candidate candidate, Preview preview) {
        AuditEvent.Header header = new AuditEvent.Header(UUID.randomUUID(), clock.instant(),
                candidate.workspace().orElse(""), principal.name(), Optional.empty());
        return switch (candidate) {
            case Candidate.Policy change -> new AuditEvent.ChangePreviewed(header, method, "", Optional.of(change.mode()),
                    Optional.empty(), preview.windowStart(), preview.windowEnd(), preview.replayed(), preview.allowToBlock(),
                    preview.blockToAllow(), preview.cutShort());
            case Candidate.Control change -> new AuditEvent.ChangePreviewed(header, method, change.controlKey(), Optional.empty(),
                    Optional.of(change.state()), preview.windowStart(), preview.windowEnd(), preview.replayed(),
                    preview.allowToBlock(), preview.blockToAllow(), preview.cutShort());
            case Candidate.AsRecorded ignored -> throw new IllegalArgumentException("a recorded state is no change to audit");
        };
    }
}
