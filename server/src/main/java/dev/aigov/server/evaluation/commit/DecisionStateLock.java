package dev.aigov.server.evaluation.commit;

import dev.aigov.db.jooq.Routines;
import dev.aigov.server.error.Causes;
import dev.aigov.server.error.StorageUnavailable;
import java.sql.SQLException;
import java.time.Duration;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock that orders changes of the decision state (controls, policies, principals) against
 * the transactions that record decisions (see {@code V7__state_changes.sql}): in commit order, no
 * decision recorded after a change was decided on the state before it. It is a table lock on
 * {@code state_version}, which only the owner role, a superuser, or the runtime role through these
 * two calls can take: a session without privilege cannot hold it.
 */
public final class DecisionStateLock {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionStateLock.class);
    /** How long a change waits for the lock: batches hold it for one transaction, milliseconds. */
    public static final Duration CHANGE_WAIT = Duration.ofSeconds(3);
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private DecisionStateLock() {
    }

    /**
     * Takes the lock shared until {@code tx} ends and returns the state version: no change can
     * commit before {@code tx} does, and every change committed before is counted in it.
     */
    public static long forDecisions(DSLContext tx) {
        return Routines.lockStateForDecisions(tx.configuration());
    }

    /**
     * Takes the lock exclusively until {@code tx} ends: waits for the batches of decisions in flight
     * to commit; batches that start later see this change. Call it before reading what will change.
     *
     * @throws StorageUnavailable naming the sessions that hold the lock, when it is not granted within {@link #CHANGE_WAIT}
     */
    public static void forChange(DSLContext tx) {
        try {
            Routines.lockStateForChange(tx.configuration(), (int) CHANGE_WAIT.toMillis());
        } catch (DataAccessException e) {
            if (e.getCause() instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                String diagnosis = sql instanceof PSQLException psql && psql.getServerErrorMessage() != null
                        ? psql.getServerErrorMessage().getMessage() + " (" + psql.getServerErrorMessage().getHint() + ")"
                        : Causes.rootMessage(e);
                LOG.error("A change of the decision state could not take its lock and was refused: {}", diagnosis);
                throw StorageUnavailable.because("changing the decision state", diagnosis, e);
            }
            throw e;
        }
    }
}
