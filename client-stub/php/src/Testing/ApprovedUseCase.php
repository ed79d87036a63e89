<?php

declare(strict_types=1);

namespace Aigov\Client\Testing;

use Aigov\Client\DataClassification;
use Aigov\Client\ProviderClass;

/** One approved use case of a catalog: what it may send, where from, and to which provider classes. */
final class ApprovedUseCase
{
    /**
     * @param list<ProviderClass> $providerClasses
     * @param list<DataClassification> $dataClassifications
     */
    public function __construct(
        public readonly string $key,
        public readonly string $description,
        public readonly string $sourceFamily,
        public readonly bool $tenantContextPermitted,
        public readonly array $providerClasses,
        public readonly array $dataClassifications,
    ) {
    }
}
