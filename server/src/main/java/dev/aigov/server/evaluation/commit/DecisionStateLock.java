package dev.aigov.server.evaluation.commit;

import dev.aigov.db.jooq.Routines;
import org.jooq.DSLContext;

/**
 * The lock that orders changes of the decision state (controls, policies, principals) against
 * the transactions that record decisions (see {@code V2__decision_state.sql}): in commit order, no
 * decision recorded after a change was decided on the state before it.
 */
public final class DecisionStateLock {
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
     */
    public static void forChange(DSLContext tx) {
        Routines.lockStateForChange(tx.configuration());
    }
}
