package dev.aigov.core;

import java.util.List;
import java.util.Optional;

/**
 * The answer to one request: every failing rule, in precedence order, and the state it was made on.
 * It is an ALLOW exactly when no rule failed.
 */
public record Decision(
        List<BlockReason> allReasons,
        List<DataClassification> rejectedClassifications,
        PolicyMode effectivePolicyMode,
        long policyVersion,
        ControlState executionState,
        long controlVersion,
        String message) {

    public Decision {
        allReasons = allReasons.stream().sorted().distinct().toList();
        rejectedClassifications = List.copyOf(rejectedClassifications);
    }

    public Outcome outcome() {
        return allReasons.isEmpty() ? Outcome.ALLOW : Outcome.BLOCK;
    }

    public boolean allowed() {
        return outcome() == Outcome.ALLOW;
    }

    /** The primary reason: the first failing rule in precedence order; empty on an allow. */
    public Optional<BlockReason> reason() {
        return allReasons.stream().findFirst();
    }
}
