package dev.aigov.server.policy;

import dev.aigov.core.InvalidRequest;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.Vocabulary;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.change.VersionedChange;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.storage.Fingerprint;
import dev.aigov.server.storage.Transactions;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads and sets workspace AI policy; every set and its audit event commit together. */
public final class WorkspacePolicyService {
    private static final Logger LOG = LoggerFactory.getLogger(WorkspacePolicyService.class);
    static final String OPERATION = "SetWorkspacePolicy";

    private final DSLContext dsl;
    private final VersionedChange changes;

    public WorkspacePolicyService(DSLContext dsl, Clock clock, dev.aigov.server.audit.AuditLog log) {
        this.dsl = dsl;
        this.changes = new VersionedChange(dsl, clock, log);
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

        /**
         * This set's fingerprint, in the encoding of {@link Fingerprint}: purpose
         * {@code SetWorkspacePolicy}, then uuid(principal id), text(workspace_id), word(policy_mode),
         * optional(number(expected_version)), text(reason).
         */
        public byte[] fingerprint(UUID principalId) {
            return Fingerprint.of(OPERATION)
                    .uuid(principalId)
                    .text(workspaceId)
                    .word(mode)
                    .optionalNumber(expectedVersion)
                    .text(reason)
                    .digest();
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
        VersionedChange.Request request = new VersionedChange.Request(OPERATION, principal.name(), command.workspaceId(),
                command.requestId(), command.fingerprint(principal.id()), command.expectedVersion());
        VersionedChange.Result<WorkspacePolicy> change =
                changes.apply("setting the workspace policy", request, new SetSteps(principal, command));
        return new PolicyChange(change.state(), change.changed());
    }

    /** A set of one workspace's policy, as {@link VersionedChange} applies it. */
    private record SetSteps(Principal principal, SetPolicy command) implements VersionedChange.Steps<WorkspacePolicy> {
        @Override
        public WorkspacePolicy atVersion(DSLContext tx, long version) {
            return WorkspacePolicyRepository.atVersion(tx, command.workspaceId(), version);
        }

        @Override
        public Optional<WorkspacePolicy> lockCurrent(DSLContext tx) {
            return WorkspacePolicyRepository.lockCurrent(tx, command.workspaceId());
        }

        @Override
        public WorkspacePolicy neverChanged() {
            return WorkspacePolicy.defaultFor(command.workspaceId());
        }

        @Override
        public String subject() {
            return "the policy of workspace '" + command.workspaceId() + "'";
        }

        @Override
        public Optional<WorkspacePolicy> next(WorkspacePolicy current, Instant now) {
            if (current.mode() == command.mode()) {
                return Optional.empty();
            }
            return Optional.of(new WorkspacePolicy(command.workspaceId(), command.mode(), current.version() + 1, command.reason(),
                    Optional.of(now), principal.name()));
        }

        @Override
        public boolean save(DSLContext tx, WorkspacePolicy next, boolean first) {
            return WorkspacePolicyRepository.save(tx, next, first);
        }

        @Override
        public AuditEvent event(AuditEvent.Header header, WorkspacePolicy before, WorkspacePolicy after, boolean changed) {
            return new AuditEvent.PolicySet(header, before.status(), after.status(), changed, command.reason());
        }

        @Override
        public void announce(WorkspacePolicy policy) {
            LOG.info("Workspace policy of {} set to {} (version {}) by {}{}", policy.workspaceId(), policy.mode().word(),
                    policy.version(), principal.name(), command.reason().isEmpty() ? "" : ": " + command.reason());
        }
    }
}
