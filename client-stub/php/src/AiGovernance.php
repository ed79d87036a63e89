<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * The one question a service asks before any AI work, and the guard that holds the work back until
 * the answer is ALLOW. AiGovernanceClient asks the aigov server; Testing\InMemoryAiGovernance
 * decides in memory with the server's rules, for a service's tests. Depend on this interface (bind
 * it in your container), and a test can hand in either.
 *
 * Every implementation fails closed: evaluate() never throws for a failure, it returns a block; the
 * guards run the work only after an ALLOW.
 */
interface AiGovernance
{
    /**
     * Asks for a decision, waiting at most the deadline. Never throws for anything that goes wrong on
     * the way: that is a block whose reason names the FailureKind.
     */
    public function evaluate(AiRequest $request): AiDecision;

    /**
     * Asks for a decision and returns it only if it is an ALLOW.
     *
     * @throws AiExecutionBlockedException on anything but an ALLOW
     */
    public function requireAllowed(AiRequest $request): AiDecision;

    /**
     * The guard: calls $work (with no arguments) only after an ALLOW, and returns what it returns.
     * Whatever $work throws passes through unchanged.
     *
     * @template T
     * @param callable(): T $work
     * @return T
     * @throws AiExecutionBlockedException on anything but an ALLOW; $work was not called
     */
    public function runIfAllowed(AiRequest $request, callable $work): mixed;
}
