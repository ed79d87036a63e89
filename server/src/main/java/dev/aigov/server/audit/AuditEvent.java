package dev.aigov.server.audit;

import dev.aigov.core.ControlState;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.PolicyStatus;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** One entry of the append-only audit trail. Metadata only: there is nowhere to put a prompt. */
public sealed interface AuditEvent {

    Header header();

    /**
     * What every event has.
     *
     * @param workspaceId empty for a global control change or a denial that named no workspace
     * @param principal   the token's name; empty for an unauthenticated denial
     */
    record Header(UUID eventId, Instant occurredAt, String workspaceId, String principal, Optional<UUID> requestId) {
    }

    /** One decision: the request's metadata and the answer. */
    record DecisionMade(Header header, DecisionRequest request, UUID decisionId, Decision decision) implements AuditEvent {
    }

    /** One SetWorkspacePolicy call that took effect, changed or not. */
    record PolicySet(Header header, PolicyStatus before, PolicyStatus after, boolean changed, String reason)
            implements
                AuditEvent {
    }

    /** One SetExecutionControl call that took effect, changed or not. The scope is the header's workspace. */
    record ControlSet(Header header, String controlKey, ControlState before, ControlState after, long version,
            boolean changed, String reason) implements AuditEvent {
    }

    /**
     * One preview of a candidate change (it changed nothing): who previewed which candidate over which
     * window, and what it found. The candidate's workspace is the header's (empty: the global control).
     *
     * @param controlKey    the control of a control preview; empty for a policy preview
     * @param candidateMode the candidate mode of a policy preview
     * @param candidateState the candidate state of a control preview
     */
    record ChangePreviewed(Header header, String method, String controlKey, Optional<PolicyMode> candidateMode,
            Optional<ControlState> candidateState, Instant windowStart, Instant windowEnd, long replayed, long allowToBlock,
            long blockToAllow, boolean cutShort) implements AuditEvent {
    }

    /**
     * A mutation refused for want of a credential or a capability; or, with a {@code repeatCount},
     * the refusals of one peer, method and reason in one time window past the first few.
     *
     * @param peer        the caller's address (see identity.Peers); empty when unknown
     * @param repeatCount 0 for a single refusal; otherwise how many this event stands for
     */
    record MutationDenied(Header header, String method, String statusCode, String errorReason, String capability,
            String peer, int repeatCount, Optional<Instant> firstOccurredAt, Optional<Instant> lastOccurredAt)
            implements
                AuditEvent {

        /** A single refusal of an unknown peer. */
        public MutationDenied(Header header, String method, String statusCode, String errorReason, String capability) {
            this(header, method, statusCode, errorReason, capability, "", 0, Optional.empty(), Optional.empty());
        }
    }
}
