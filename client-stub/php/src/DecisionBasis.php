<?php

declare(strict_types=1);

namespace Aigov\Client;

/** The state the server decided on: the workspace's effective policy and the execution control, with their versions. */
final class DecisionBasis
{
    public function __construct(
        public readonly PolicyMode $effectivePolicyMode,
        public readonly int $policyVersion,
        public readonly ControlState $executionState,
        public readonly int $controlVersion,
        public readonly ?\DateTimeImmutable $evaluatedAt,
    ) {
    }
}
