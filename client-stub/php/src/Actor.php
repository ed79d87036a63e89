<?php

declare(strict_types=1);

namespace Aigov\Client;

/** Who, on the caller's side, asked for the AI work: recorded in the audit trail. */
final class Actor
{
    public function __construct(public readonly string $id, public readonly ActorKind $kind)
    {
    }

    /** A person, by the caller's own user id. */
    public static function user(string $id): self
    {
        return new self($id, ActorKind::USER);
    }

    /** A service or job, by its name. */
    public static function service(string $id): self
    {
        return new self($id, ActorKind::SERVICE);
    }
}
