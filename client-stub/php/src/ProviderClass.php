<?php

declare(strict_types=1);

namespace Aigov\Client;

/** The trust class of the model provider that would receive the data; never a vendor name. */
enum ProviderClass: string
{
    case LOCAL_PRIVATE = 'local_private';
    case EXTERNAL_PUBLIC = 'external_public';

    /** The contract's enum name, for example PROVIDER_CLASS_LOCAL_PRIVATE. */
    public function protoName(): string
    {
        return 'PROVIDER_CLASS_' . $this->name;
    }
}
