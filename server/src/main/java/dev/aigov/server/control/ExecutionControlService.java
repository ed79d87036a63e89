package dev.aigov.server.control;

import dev.aigov.core.ControlState;
import dev.aigov.core.InvalidRequest;
import dev.aigov.core.Vocabulary;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.change.VersionedChange;
import dev.aigov.server.error.UnknownControlKey;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.storage.Fingerprint;
import dev.aigov.server.storage.PageToken;
import dev.aigov.server.storage.Transactions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The platform operators' emergency stop: pause and resume, globally or per workspace, with history. */
public final class ExecutionControlService {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionControlService.class);
    static final String OPERATION = "SetExecutionControl";
    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 500;

    private final DSLContext dsl;
    private final VersionedChange changes;

    public ExecutionControlService(DSLContext dsl, Clock clock, dev.aigov.server.audit.AuditLog log) {
        this.dsl = dsl;
        this.changes = new VersionedChange(dsl, clock, log);
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

        /**
         * This set's fingerprint, in the encoding of {@link Fingerprint}: purpose
         * {@code SetExecutionControl}, then uuid(principal id), text(control_key), text(workspace_id,
         * "" for the global scope), word(state), text(reason), optional(number(expected_version)).
         */
        public byte[] fingerprint(UUID principalId) {
            return Fingerprint.of(OPERATION)
                    .uuid(principalId)
                    .text(controlKey)
                    .text(workspaceId)
                    .word(state)
                    .text(reason)
                    .optionalNumber(expectedVersion)
                    .digest();
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
        byte[] filterHash = historyFilterHash(controlKey, scope);
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

    /**
     * What a history page token is bound to, in the encoding of {@link Fingerprint}: purpose
     * {@code control-history}, then text(control_key), optional(text(workspace_id)) (absent: global).
     */
    static byte[] historyFilterHash(String controlKey, Optional<String> scope) {
        return Fingerprint.of("control-history").text(controlKey).optionalText(scope).digest();
    }

    public ControlChange set(Principal principal, SetControl command) {
        VersionedChange.Request request = new VersionedChange.Request(OPERATION, principal.name(), command.workspaceId(),
                command.requestId(), command.fingerprint(principal.id()), command.expectedVersion());
        VersionedChange.Result<ExecutionControl> change =
                changes.apply("setting the execution control", request, new SetSteps(principal, command));
        return new ControlChange(change.state(), change.changed());
    }

    /** A set of one control at one scope, as {@link VersionedChange} applies it. */
    private record SetSteps(Principal principal, SetControl command) implements VersionedChange.Steps<ExecutionControl> {
        @Override
        public ExecutionControl atVersion(DSLContext tx, long version) {
            return ExecutionControlRepository.atVersion(tx, command.controlKey(), command.workspaceId(), version);
        }

        @Override
        public Optional<ExecutionControl> lockCurrent(DSLContext tx) {
            return ExecutionControlRepository.lockCurrent(tx, command.controlKey(), command.workspaceId());
        }

        @Override
        public ExecutionControl neverChanged() {
            return ExecutionControl.neverChanged(command.controlKey(), command.workspaceId());
        }

        @Override
        public String subject() {
            String scope = command.workspaceId().isEmpty() ? "globally" : "for workspace '" + command.workspaceId() + "'";
            return command.controlKey() + " " + scope;
        }

        @Override
        public Optional<ExecutionControl> next(ExecutionControl current, Instant now) {
            if (current.state() == command.state()) {
                return Optional.empty();
            }
            // A resume clears the reason; the reason given with it is kept in the audit event.
            String reason = command.state() == ControlState.PAUSED ? command.reason() : "";
            return Optional.of(new ExecutionControl(command.controlKey(), command.workspaceId(), command.state(), reason,
                    current.version() + 1, Optional.of(now), principal.name()));
        }

        @Override
        public boolean save(DSLContext tx, ExecutionControl next, boolean first) {
            return ExecutionControlRepository.save(tx, next, first, command.requestId());
        }

        @Override
        public AuditEvent event(AuditEvent.Header header, ExecutionControl before, ExecutionControl after, boolean changed) {
            return new AuditEvent.ControlSet(header, command.controlKey(), before.state(), after.state(), after.version(), changed,
                    command.reason());
        }

        @Override
        public void announce(ExecutionControl control) {
            LOG.info("{} {} {} (version {}) by {}{}", control.controlKey(),
                    control.state() == ControlState.PAUSED ? "PAUSED" : "RESUMED",
                    control.global() ? "globally" : "for workspace " + control.workspaceId(),
                    control.version(), principal.name(), command.reason().isEmpty() ? "" : ": " + command.reason());
        }
    }

    /** Throws unless {@code controlKey} names a control aigov knows ({@code ai.execution}). */
    public static void requireKnownKey(String controlKey) {
        if (controlKey == null || controlKey.isEmpty()) {
            throw new InvalidRequest("control_key", "is required; the known control is " + ExecutionControl.AI_EXECUTION);
        }
        if (!ExecutionControl.AI_EXECUTION.equals(controlKey)) {
            throw new UnknownControlKey(controlKey, ExecutionControl.AI_EXECUTION);
        }
    }

}
