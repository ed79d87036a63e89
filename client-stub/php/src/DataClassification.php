<?php

declare(strict_types=1);

namespace Aigov\Client;

/** A kind of data a caller intends to send to a model. A request declares every kind it sends. */
enum DataClassification: string
{
    case PRODUCT_KNOWLEDGE = 'product_knowledge';
    case OPERATIONAL_METADATA = 'operational_metadata';
    case WORKSPACE_CONFIGURATION = 'workspace_configuration';
    case TENANT_CONFIGURATION = 'tenant_configuration';
    case PERSONAL_DATA = 'personal_data';
    case SECRET = 'secret';

    /** The contract's enum name, for example DATA_CLASSIFICATION_PERSONAL_DATA. */
    public function protoName(): string
    {
        return 'DATA_CLASSIFICATION_' . $this->name;
    }

    /** The classification the contract names so; null for a name this client does not know. */
    public static function fromProtoName(mixed $name): ?self
    {
        if (!is_string($name) || !str_starts_with($name, 'DATA_CLASSIFICATION_')) {
            return null;
        }
        return self::tryFrom(strtolower(substr($name, strlen('DATA_CLASSIFICATION_'))));
    }
}
