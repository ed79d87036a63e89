<?php

declare(strict_types=1);

namespace Aigov\Client;

/** The guards of AiGovernance, in terms of evaluate(): one implementation for the client and the double. */
trait Guards
{
    abstract public function evaluate(AiRequest $request): AiDecision;

    public function requireAllowed(AiRequest $request): AiDecision
    {
        $decision = $this->evaluate($request);
        if (!$decision->allowed()) {
            throw new AiExecutionBlockedException($decision);
        }
        return $decision;
    }

    public function runIfAllowed(AiRequest $request, callable $work): mixed
    {
        $this->requireAllowed($request);
        return $work();
    }
}
