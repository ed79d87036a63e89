<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * A workspace's AI policy mode. A workspace that never set one is DISABLED (version 0).
 * UNRECOGNIZED is a mode a newer server named that this client does not know.
 */
enum PolicyMode: string
{
    case DISABLED = 'disabled';
    case PRIVATE_ONLY = 'private_only';
    case UNRECOGNIZED = 'unrecognized';

    /** The mode the contract names so ('POLICY_MODE_PRIVATE_ONLY'); UNRECOGNIZED for anything else. */
    public static function fromProtoName(mixed $name): self
    {
        return match ($name) {
            'POLICY_MODE_DISABLED' => self::DISABLED,
            'POLICY_MODE_PRIVATE_ONLY' => self::PRIVATE_ONLY,
            default => self::UNRECOGNIZED,
        };
    }
}
