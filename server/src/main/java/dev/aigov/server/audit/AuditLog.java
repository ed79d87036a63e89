package dev.aigov.server.audit;

import org.jooq.DSLContext;

/**
 * Where an audit event outside the decision writer is recorded: in the caller's transaction, with
 * the checkpoint that makes it evidence ({@code evidence.Evidence}).
 */
@FunctionalInterface
public interface AuditLog {
    /** Appends {@code event} in the transaction {@code tx}. */
    void append(DSLContext tx, AuditEvent event);
}
