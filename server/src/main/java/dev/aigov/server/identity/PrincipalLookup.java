package dev.aigov.server.identity;

import java.util.Optional;

/** Finds the active principal holding a token hash: per call in the database, or in memory. */
@FunctionalInterface
public interface PrincipalLookup {
    /**
     * @throws dev.aigov.server.error.StorageUnavailable when the answer needs the database and it cannot be reached
     */
    Optional<Principal> findActive(byte[] tokenHash);
}
