<?php

declare(strict_types=1);

namespace Aigov\Client;

/** Whether the actor behind a request is a person or a service. */
enum ActorKind: string
{
    case USER = 'user';
    case SERVICE = 'service';

    /** The contract's enum name, for example ACTOR_KIND_USER. */
    public function protoName(): string
    {
        return 'ACTOR_KIND_' . $this->name;
    }
}
