<?php

declare(strict_types=1);

namespace Aigov\Client\Testing;

/** Where ai.execution is paused or resumed: globally (every workspace) or for one workspace. */
final class ControlScope
{
    private function __construct(public readonly ?string $workspaceId)
    {
    }

    /** The global scope: a pause there stops every workspace. */
    public static function global(): self
    {
        return new self(null);
    }

    public static function workspace(string $workspaceId): self
    {
        if ($workspaceId === '') {
            throw new \InvalidArgumentException('workspaceId: is required (use ControlScope::global() for every workspace)');
        }
        return new self($workspaceId);
    }
}
