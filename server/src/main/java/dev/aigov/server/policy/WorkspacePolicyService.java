package dev.aigov.server.policy;

import dev.aigov.server.telemetry.Logs;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditRepository;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.Vocabulary;
import dev.aigov.core.InvalidRequest;
import dev.aigov.server.error.VersionConflict;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.evaluation.commit.DecisionStateLock;
import dev.aigov.server.storage.Fingerprint;
import dev.aigov.server.storage.IdempotencyRepository;
import dev.aigov.server.storage.Transactions;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/** Reads and sets workspace AI policy; every set and its audit event commit together. */
public final class WorkspacePolicyService {
    private static final Logger LOG = LoggerFactory.getLogger(WorkspacePolicyService.class);
    static final String OPERATION = "SetWorkspacePolicy";

    private final DSLContext dsl;
    private final Clock clock;

    public WorkspacePolicyService(DSLContext dsl, Clock clock) {
        this.dsl = dsl;
        this.clock = clock;
    }

    /** A validated SetWorkspacePolicy request. */
    public record SetPolicy(String workspaceId, PolicyMode mode, OptionalLong expectedVersion, String reason,
                            Optional<UUID> requestId) {
        public SetPolicy {
            Vocabulary.requireId("workspace_id", workspaceId);
            if (mode == null) {
                throw new InvalidRequest("policy_mode", "is required: POLICY_MODE_DISABLED or POLICY_MODE_PRIVATE_ONLY");
            }
            if (expectedVersion.isPresent() && expectedVersion.getAsLong() < 0) {
                throw new InvalidRequest("expected_version", "must not be negative");
            }
            reason = Vocabulary.reason(reason);
        }
    }

    /** The policy in force after a set, and whether the set changed it. */
    public record PolicyChange(WorkspacePolicy policy, boolean changed) {
    }

    public WorkspacePolicy get(Principal principal, String workspaceId) {
        Vocabulary.requireId("workspace_id", workspaceId);
        principal.requireReach(Capability.WORKSPACE_AI_POLICY_VIEW, "workspace_id", workspaceId);
        return Transactions.read(dsl, "reading the workspace policy", ctx -> WorkspacePolicyRepository.current(ctx, workspaceId));
    }

    public PolicyChange set(Principal principal, SetPolicy command) {
        principal.requireReach(Capability.WORKSPACE_AI_POLICY_MANAGE, "workspace_id", command.workspaceId());
        byte[] fingerprint = Fingerprint.of(OPERATION, principal.id(), command.workspaceId(), command.mode(),
                command.expectedVersion(), command.reason());
        // A workspace's first version can be written by two calls at once: the loser retries and sees the winner.
        PolicyChange change = Transactions.inTransactionRetrying(dsl, "setting the workspace policy",
                tx -> apply(tx, principal, command, fingerprint));
        if (change.changed()) {
            WorkspacePolicy policy = change.policy();
            try (var ids = Logs.requestId(command.requestId())) {
            LOG.info("Workspace policy of {} set to {} (version {}) by {}{}", policy.workspaceId(), policy.mode().word(),
                    policy.version(), principal.name(), command.reason().isEmpty() ? "" : ": " + command.reason());
            }
        }
        return change;
    }


    private PolicyChange apply(DSLContext tx, Principal principal, SetPolicy command, byte[] fingerprint) {
        // First: wait for the decisions being recorded, and hold back the ones decided from now on.
        DecisionStateLock.forChange(tx);
        if (command.requestId().isPresent()) {
            Optional<IdempotencyRepository.PriorResult> prior =
                    IdempotencyRepository.claim(tx, command.requestId().get(), OPERATION, fingerprint, clock.instant());
            if (prior.isPresent()) {
                return new PolicyChange(
                        WorkspacePolicyRepository.atVersion(tx, command.workspaceId(), prior.get().version()),
                        prior.get().changed());
            }
        }
        Optional<WorkspacePolicy> locked = WorkspacePolicyRepository.lockCurrent(tx, command.workspaceId());
        // The clock is read once the row is locked, so that times follow the order of versions.
        Instant now = clock.instant();
        WorkspacePolicy current = locked.orElseGet(() -> WorkspacePolicy.defaultFor(command.workspaceId()));
        if (command.expectedVersion().isPresent() && command.expectedVersion().getAsLong() != current.version()) {
            throw new VersionConflict("the policy of workspace '" + command.workspaceId() + "'",
                    command.expectedVersion().getAsLong(), current.version());
        }
        boolean changed = current.mode() != command.mode();
        WorkspacePolicy result = current;
        if (changed) {
            result = new WorkspacePolicy(command.workspaceId(), command.mode(), current.version() + 1, command.reason(),
                    Optional.of(now), principal.name());
            if (!WorkspacePolicyRepository.save(tx, result, locked.isEmpty())) {
                throw new Transactions.ConcurrentFirstWrite();
            }
        }
        AuditRepository.insert(tx, new AuditEvent.PolicySet(
                new AuditEvent.Header(UUID.randomUUID(), now, command.workspaceId(), principal.name(), command.requestId()),
                current.status(), result.status(), changed, command.reason()));
        long version = result.version();
        command.requestId().ifPresent(id -> IdempotencyRepository.completeWithVersion(tx, id, version, changed));
        return new PolicyChange(result, changed);
    }
}
