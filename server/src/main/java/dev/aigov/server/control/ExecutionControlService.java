package dev.aigov.server.control;

import dev.aigov.server.telemetry.Logs;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditRepository;
import dev.aigov.core.ControlState;
import dev.aigov.core.Vocabulary;
import dev.aigov.core.InvalidRequest;
import dev.aigov.server.error.UnknownControlKey;
import dev.aigov.server.error.VersionConflict;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.evaluation.commit.DecisionStateLock;
import dev.aigov.server.storage.Fingerprint;
import dev.aigov.server.storage.IdempotencyRepository;
import dev.aigov.server.storage.PageToken;
import dev.aigov.server.storage.Transactions;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/** The platform operators' emergency stop: pause and resume, globally or per workspace, with history. */
public final class ExecutionControlService {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionControlService.class);
    static final String OPERATION = "SetExecutionControl";
    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 500;

    private final DSLContext dsl;
    private final Clock clock;

    public ExecutionControlService(DSLContext dsl, Clock clock) {
        this.dsl = dsl;
        this.clock = clock;
    }

    /** A validated SetExecutionControl request; {@code workspaceId} empty for the global scope. */
    public record SetControl(String controlKey, String workspaceId, ControlState state, String reason,
                             OptionalLong expectedVersion, Optional<UUID> requestId) {
        public SetControl {
            requireKnownKey(controlKey);
            workspaceId = Vocabulary.optionalId("workspace_id", workspaceId);
            if (state == null) {
                throw new InvalidRequest("state", "is required: CONTROL_STATE_ENABLED or CONTROL_STATE_PAUSED");
            }
            reason = Vocabulary.reason(reason);
            if (state == ControlState.PAUSED && reason.isEmpty()) {
                throw new InvalidRequest("reason", "is required when pausing: say why, for the people who will read the audit trail");
            }
            if (expectedVersion.isPresent() && expectedVersion.getAsLong() < 0) {
                throw new InvalidRequest("expected_version", "must not be negative");
            }
        }
    }

    /** The control after a set, and whether the set changed it. */
    public record ControlChange(ExecutionControl control, boolean changed) {
    }

    /** A control at one scope and the state in effect there (for a workspace: paused if either scope is). */
    public record ControlView(ExecutionControl control, ControlState effectiveState) {
    }

    /** One page of history, newest first, and the token of the next (empty on the last page). */
    public record HistoryPage(List<ExecutionControl> changes, String nextPageToken) {
    }

    public ControlView get(Principal principal, String controlKey, String workspaceId) {
        requireKnownKey(controlKey);
        String scope = Vocabulary.optionalId("workspace_id", workspaceId);
        return Transactions.read(dsl, "reading the execution control", ctx -> {
            List<ExecutionControl> both = ExecutionControlRepository.globalAndWorkspace(ctx, controlKey, scope);
            ExecutionControl global = both.get(0);
            ExecutionControl control = scope.isEmpty() ? global : both.get(1);
            boolean paused = global.state() == ControlState.PAUSED || control.state() == ControlState.PAUSED;
            return new ControlView(control, paused ? ControlState.PAUSED : ControlState.ENABLED);
        });
    }

    public HistoryPage history(Principal principal, String controlKey, String workspaceId, int pageSize, String pageToken) {
        requireKnownKey(controlKey);
        Optional<String> scope = Optional.of(Vocabulary.optionalId("workspace_id", workspaceId)).filter(ws -> !ws.isEmpty());
        int size = PageToken.pageSize(pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        byte[] filterHash = Fingerprint.of("control-history", controlKey, scope);
        Optional<ExecutionControlRepository.HistoryCursor> after = PageToken.decode(pageToken, filterHash)
                .map(cursor -> new ExecutionControlRepository.HistoryCursor(cursor.at(), cursor.id().getLeastSignificantBits()));
        List<ExecutionControlRepository.Activation> rows = Transactions.read(dsl, "reading the control history",
                ctx -> ExecutionControlRepository.history(ctx, controlKey, scope, size, after));
        List<ExecutionControl> changes = rows.stream().limit(size).map(ExecutionControlRepository.Activation::control).toList();
        if (rows.size() <= size) {
            return new HistoryPage(changes, "");
        }
        ExecutionControlRepository.Activation last = rows.get(size - 1);
        return new HistoryPage(changes, PageToken.encode(
                new PageToken.Cursor(last.control().changedAt().orElseThrow(), new UUID(0, last.activationId())), filterHash));
    }

    public ControlChange set(Principal principal, SetControl command) {
        byte[] fingerprint = Fingerprint.of(OPERATION, principal.id(), command.controlKey(), command.workspaceId(),
                command.state(), command.reason(), command.expectedVersion());
        ControlChange change = Transactions.inTransactionRetrying(dsl, "setting the execution control",
                tx -> apply(tx, principal, command, fingerprint));
        if (change.changed()) {
            ExecutionControl control = change.control();
            try (var ids = Logs.requestId(command.requestId())) {
            LOG.info("{} {} {} (version {}) by {}{}", control.controlKey(),
                    control.state() == ControlState.PAUSED ? "PAUSED" : "RESUMED",
                    control.global() ? "globally" : "for workspace " + control.workspaceId(),
                    control.version(), principal.name(), command.reason().isEmpty() ? "" : ": " + command.reason());
            }
        }
        return change;
    }

    private ControlChange apply(DSLContext tx, Principal principal, SetControl command, byte[] fingerprint) {
        // First: wait for the decisions being recorded, and hold back the ones decided from now on.
        DecisionStateLock.forChange(tx);
        if (command.requestId().isPresent()) {
            Optional<IdempotencyRepository.PriorResult> prior =
                    IdempotencyRepository.claim(tx, command.requestId().get(), OPERATION, fingerprint, clock.instant());
            if (prior.isPresent()) {
                return new ControlChange(ExecutionControlRepository.atVersion(tx, command.controlKey(), command.workspaceId(),
                        prior.get().version()), prior.get().changed());
            }
        }
        Optional<ExecutionControl> locked = ExecutionControlRepository.lockCurrent(tx, command.controlKey(), command.workspaceId());
        // The clock is read once the row is locked, so that times follow the order of versions.
        Instant now = clock.instant();
        ExecutionControl current = locked.orElseGet(() -> ExecutionControl.neverChanged(command.controlKey(), command.workspaceId()));
        if (command.expectedVersion().isPresent() && command.expectedVersion().getAsLong() != current.version()) {
            String scope = command.workspaceId().isEmpty() ? "globally" : "for workspace '" + command.workspaceId() + "'";
            throw new VersionConflict(command.controlKey() + " " + scope, command.expectedVersion().getAsLong(), current.version());
        }
        boolean changed = current.state() != command.state();
        ExecutionControl result = current;
        if (changed) {
            // A resume clears the reason; the reason given with it is kept in the audit event.
            String reason = command.state() == ControlState.PAUSED ? command.reason() : "";
            result = new ExecutionControl(command.controlKey(), command.workspaceId(), command.state(), reason,
                    current.version() + 1, Optional.of(now), principal.name());
            if (!ExecutionControlRepository.save(tx, result, locked.isEmpty(), command.requestId())) {
                throw new Transactions.ConcurrentFirstWrite();
            }
        }
        AuditRepository.insert(tx, new AuditEvent.ControlSet(
                new AuditEvent.Header(UUID.randomUUID(), now, command.workspaceId(), principal.name(), command.requestId()),
                command.controlKey(), current.state(), result.state(), result.version(), changed, command.reason()));
        long version = result.version();
        command.requestId().ifPresent(id -> IdempotencyRepository.completeWithVersion(tx, id, version, changed));
        return new ControlChange(result, changed);
    }

    static void requireKnownKey(String controlKey) {
        if (controlKey == null || controlKey.isEmpty()) {
            throw new InvalidRequest("control_key", "is required; the known control is " + ExecutionControl.AI_EXECUTION);
        }
        if (!ExecutionControl.AI_EXECUTION.equals(controlKey)) {
            throw new UnknownControlKey(controlKey, ExecutionControl.AI_EXECUTION);
        }
    }

}
