<?php

declare(strict_types=1);

namespace Aigov\Client\Tests\Support;

use Aigov\Client\Actor;
use Aigov\Client\AiRequest;
use Aigov\Client\DataClassification;
use Aigov\Client\ProviderClass;
use Aigov\Client\SourceFamily;
use Aigov\Client\UseCase;

/** The requests of the tests: the approved answer draft, and the decision table's variations of it. */
final class Requests
{
    public static function approved(string $workspace, array $changes = []): AiRequest
    {
        $fields = array_merge([
            'workspaceId' => $workspace,
            'useCase' => UseCase::PRODUCT_KNOWLEDGE_ANSWER_DRAFT,
            'providerClass' => ProviderClass::LOCAL_PRIVATE,
            'dataClassifications' => [DataClassification::PRODUCT_KNOWLEDGE],
            'sourceFamily' => SourceFamily::PRODUCT_KNOWLEDGE,
            'actor' => Actor::user('user-7'),
            'callerSurface' => 'tests.matrix',
        ], $changes);
        return new AiRequest(...$fields);
    }

    /**
     * The decision table's rows (the Java client's DecisionMatrixTest's): an allow, every rule, and
     * refused requests.
     *
     * @return array<string, array<string, mixed>> row name => the fields it changes
     */
    public static function table(): array
    {
        $support = ['useCase' => UseCase::SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT, 'sourceFamily' => SourceFamily::SUPPORT_DIAGNOSTICS];
        return [
            'as approved' => [],
            'an unknown use case' => ['useCase' => 'marketing.copy_draft'],
            'an external provider' => ['providerClass' => ProviderClass::EXTERNAL_PUBLIC],
            'tenant context where none is permitted' => ['tenantId' => 'tenant-1'],
            'the wrong source family' => ['sourceFamily' => SourceFamily::SUPPORT_DIAGNOSTICS],
            'personal data' => ['dataClassifications' => [DataClassification::PERSONAL_DATA]],
            'a secret beside product knowledge' => ['dataClassifications' => [DataClassification::PRODUCT_KNOWLEDGE,
                DataClassification::SECRET]],
            'everything wrong at once' => ['providerClass' => ProviderClass::EXTERNAL_PUBLIC, 'tenantId' => 'tenant-1',
                'dataClassifications' => [DataClassification::SECRET, DataClassification::PERSONAL_DATA]],
            'an unknown use case from an external provider' => ['useCase' => 'marketing.copy_draft',
                'providerClass' => ProviderClass::EXTERNAL_PUBLIC],
            'a support summary with tenant context' => $support + ['tenantId' => 'tenant-9',
                'dataClassifications' => [DataClassification::OPERATIONAL_METADATA, DataClassification::TENANT_CONFIGURATION]],
            'a support summary of product knowledge' => $support + ['dataClassifications' => [DataClassification::PRODUCT_KNOWLEDGE]],
            'a malformed workspace id' => ['workspaceId' => 'not a workspace!'],
            'a malformed actor id' => ['actor' => Actor::user('user 7')],
            'a malformed tenant id' => ['tenantId' => 'tenant/1'],
            'a malformed use case key' => ['useCase' => 'answer draft'],
            'an empty workspace id' => ['workspaceId' => ''],
            'an over-long caller surface' => ['callerSurface' => str_repeat('s', 129)],
        ];
    }
}
