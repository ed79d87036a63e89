<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * Thrown by the guards (runIfAllowed, requireAllowed) on anything but a complete ALLOW: a server
 * BLOCK, or the client's own block because aigov could not be asked. The AI work was not started.
 * It carries the decision, whose reasons and message may be shown to the person who asked.
 */
final class AiExecutionBlockedException extends \RuntimeException
{
    public function __construct(public readonly AiDecision $decision)
    {
        if ($decision->allowed()) {
            throw new \InvalidArgumentException('decision: an allowed decision does not block');
        }
        parent::__construct('AI work blocked by aigov: ' . $decision);
    }
}
