package dev.aigov.server.storage;

import dev.aigov.core.InvalidRequest;
import dev.aigov.server.error.AigovException;
import dev.aigov.server.error.StorageUnavailable;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/** Runs work in one jOOQ transaction and turns database failures into {@link StorageUnavailable}. */
public final class Transactions {
    private Transactions() {
    }

    public static <T> T inTransaction(DSLContext dsl, String what, Function<DSLContext, T> work) {
        try {
            return dsl.transactionResult(configuration -> work.apply(configuration.dsl()));
        } catch (AigovException | InvalidRequest answer) {
            throw answer;
        } catch (DataAccessException e) {
            if (e.getCause() instanceof AigovException domain) {
                throw domain;
            }
            if (e.getCause() instanceof InvalidRequest invalid) {
                throw invalid;
            }
            throw new StorageUnavailable(what, e);
        }
    }

    /**
     * Like {@link #inTransaction}, retried (up to three attempts) when the work throws
     * {@link ConcurrentFirstWrite}: it lost the race to create a row another transaction created.
     */
    public static <T> T inTransactionRetrying(DSLContext dsl, String what, Function<DSLContext, T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return inTransaction(dsl, what, work);
            } catch (ConcurrentFirstWrite e) {
                if (attempt == 3) {
                    throw new IllegalStateException(what + ": the row kept being created concurrently", e);
                }
            }
        }
    }

    /** Thrown inside a transaction that lost the race to insert a row first; rolls it back for a retry. */
    public static final class ConcurrentFirstWrite extends RuntimeException {
        public ConcurrentFirstWrite() {
            super(null, null, false, false);
        }
    }

    /** Runs a read outside any explicit transaction, with the same failure mapping. */
    public static <T> T read(DSLContext dsl, String what, Function<DSLContext, T> work) {
        try {
            return work.apply(dsl);
        } catch (DataAccessException e) {
            throw new StorageUnavailable(what, e);
        }
    }
}
