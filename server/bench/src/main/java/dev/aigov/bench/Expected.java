package dev.aigov.bench;

import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.Outcome;

/**
 * The answer the load generator expects for a request it sent: ALLOW, or BLOCK with this primary
 * reason. Worked out from the SPEC's rules and the state the generator set up, not by asking the
 * server's code, so that a wrong answer is caught.
 */
record Expected(Outcome outcome, BlockReason reason) {
    static final Expected ALLOW = new Expected(Outcome.OUTCOME_ALLOW, BlockReason.BLOCK_REASON_UNSPECIFIED);

    static Expected block(BlockReason reason) {
        return new Expected(Outcome.OUTCOME_BLOCK, reason);
    }

    /** How an answer compares with what was expected. */
    enum Verdict {
        MATCH,
        /** ALLOW where BLOCK was expected: the serious kind, AI work that should not run. */
        UNSAFE_ALLOW,
        /** BLOCK where ALLOW was expected. */
        UNEXPECTED_BLOCK,
        /** BLOCK as expected, for another primary reason (or an outcome that is neither). */
        WRONG_REASON
    }

    Verdict judge(Decision decision) {
        return switch (decision.getOutcome()) {
            case OUTCOME_ALLOW -> outcome == Outcome.OUTCOME_ALLOW ? Verdict.MATCH : Verdict.UNSAFE_ALLOW;
            case OUTCOME_BLOCK -> outcome == Outcome.OUTCOME_ALLOW ? Verdict.UNEXPECTED_BLOCK
                    : decision.getReason() == reason ? Verdict.MATCH : Verdict.WRONG_REASON;
            default -> Verdict.WRONG_REASON;
        };
    }
}
