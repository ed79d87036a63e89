package dev.aigov.server.identity;

import dev.aigov.server.storage.Transactions;
import java.util.Optional;
import org.jooq.DSLContext;

/** Finds the active principal holding a token hash: per call in the database, or in memory. */
@FunctionalInterface
public interface PrincipalLookup {
    /**
     * @throws dev.aigov.server.error.StorageUnavailable when the answer needs the database and it cannot be reached
     */
    Optional<Principal> findActive(byte[] tokenHash);

    /** Looks every token up in the database, per call: the fallback of the in-memory state. */
    static PrincipalLookup fromDatabase(DSLContext dsl) {
        return hash -> Transactions.read(dsl, "checking the credential", ctx -> new PrincipalRepository(ctx).findActiveByTokenHash(hash));
    }
}
