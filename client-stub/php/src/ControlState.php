<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * The state of the ai.execution control a decision was made under. UNRECOGNIZED is a state a
 * newer server named that this client does not know.
 */
enum ControlState: string
{
    case ENABLED = 'enabled';
    case PAUSED = 'paused';
    case UNRECOGNIZED = 'unrecognized';

    /** The state the contract names so ('CONTROL_STATE_PAUSED'); UNRECOGNIZED for anything else. */
    public static function fromProtoName(mixed $name): self
    {
        return match ($name) {
            'CONTROL_STATE_ENABLED' => self::ENABLED,
            'CONTROL_STATE_PAUSED' => self::PAUSED,
            default => self::UNRECOGNIZED,
        };
    }
}
