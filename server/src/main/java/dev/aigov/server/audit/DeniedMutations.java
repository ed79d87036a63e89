package dev.aigov.server.audit;

import dev.aigov.server.storage.Transactions;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/** Records refused mutations. A refusal stands even when its record cannot be written (that is logged). */
public final class DeniedMutations {
    private static final Logger LOG = LoggerFactory.getLogger(DeniedMutations.class);

    private final DSLContext dsl;
    private final Clock clock;

    public DeniedMutations(DSLContext dsl, Clock clock) {
        this.dsl = dsl;
        this.clock = clock;
    }

    /**
     * @param principal   the token's name; empty when unauthenticated
     * @param workspaceId the workspace the mutation named; empty when none or unknown
     */
    public void record(String method, String statusCode, String errorReason, String capability, String principal,
                       String workspaceId, Optional<UUID> requestId) {
        try {
            Transactions.inTransaction(dsl, "recording a denied mutation", tx -> {
                AuditRepository.insert(tx, new AuditEvent.MutationDenied(
                        new AuditEvent.Header(UUID.randomUUID(), clock.instant(), workspaceId, principal, requestId),
                        method, statusCode, errorReason, capability));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.error("Could not record the denied {} of {} ({}): {}", method, principal.isEmpty() ? "an unauthenticated caller" : principal,
                    statusCode, e.getMessage());
        }
    }
}
