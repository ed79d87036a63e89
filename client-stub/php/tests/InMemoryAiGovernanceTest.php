<?php

declare(strict_types=1);

namespace Aigov\Client\Tests;

use Aigov\Client\Actor;
use Aigov\Client\AiExecutionBlockedException;
use Aigov\Client\AiRequest;
use Aigov\Client\BlockReason;
use Aigov\Client\ControlState;
use Aigov\Client\DataClassification;
use Aigov\Client\FailureKind;
use Aigov\Client\PolicyMode;
use Aigov\Client\ProviderClass;
use Aigov\Client\Testing\Catalog;
use Aigov\Client\Testing\ControlScope;
use Aigov\Client\Testing\InMemoryAiGovernance;
use Aigov\Client\Tests\Support\Requests;
use PHPUnit\Framework\TestCase;

/** The double on its own: the server's rules, precedence and messages, its controls, and the catalog it reads. */
final class InMemoryAiGovernanceTest extends TestCase
{
    private static function repository(): string
    {
        return dirname(__DIR__, 3);
    }

    public function testAWorkspaceThatNeverSetAPolicyIsDisabled(): void
    {
        $decision = (new InMemoryAiGovernance())->evaluate(Requests::approved('ws-1'));

        self::assertSame([BlockReason::WORKSPACE_POLICY_DISABLED], $decision->reasons);
        self::assertSame("Blocked: workspace 'ws-1' has never set an AI policy, so AI is disabled there.", $decision->message);
        self::assertSame(0, $decision->basis->policyVersion);
    }

    public function testAnApprovedRequestInAPrivateOnlyWorkspaceIsAllowedWithTheServersMessage(): void
    {
        $governance = (new InMemoryAiGovernance())->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY);
        $decision = $governance->evaluate(Requests::approved('ws-1', ['dataClassifications' => [
            DataClassification::OPERATIONAL_METADATA, DataClassification::PRODUCT_KNOWLEDGE, DataClassification::OPERATIONAL_METADATA]]));

        self::assertTrue($decision->allowed());
        self::assertSame("Allowed: use case 'product_knowledge.answer_draft' may send operational_metadata, product_knowledge "
            . "to a local_private provider for workspace 'ws-1'.", $decision->message);
        self::assertSame(1, $decision->basis->policyVersion);
        self::assertSame(ControlState::ENABLED, $decision->basis->executionState);
    }

    public function testEveryFailingRuleIsReportedInPrecedenceOrder(): void
    {
        $governance = (new InMemoryAiGovernance())->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY);
        $decision = $governance->evaluate(Requests::approved('ws-1', ['providerClass' => ProviderClass::EXTERNAL_PUBLIC,
            'tenantId' => 'tenant-1', 'sourceFamily' => 'support_diagnostics',
            'dataClassifications' => [DataClassification::SECRET, DataClassification::PRODUCT_KNOWLEDGE, DataClassification::PERSONAL_DATA]]));

        self::assertSame([BlockReason::PROVIDER_CLASS_NOT_PERMITTED, BlockReason::TENANT_CONTEXT_NOT_PERMITTED,
            BlockReason::SOURCE_FAMILY_NOT_PERMITTED, BlockReason::DATA_CLASSIFICATION_NOT_PERMITTED], $decision->reasons);
        self::assertSame([DataClassification::SECRET, DataClassification::PERSONAL_DATA], $decision->rejectedClassifications);
        self::assertSame("Blocked: provider class external_public is not permitted for use case 'product_knowledge.answer_draft' "
            . 'under policy private_only. Also failing: tenant_context_not_permitted, source_family_not_permitted, '
            . 'data_classification_not_permitted.', $decision->message);
    }

    /** A block only by the provider class and the classifications says what would pass, as the server does. */
    public function testABlockOnlyByClassOrClassificationsSaysWhatWouldPass(): void
    {
        $governance = (new InMemoryAiGovernance())->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY);
        $decision = $governance->evaluate(Requests::approved('ws-1', ['providerClass' => ProviderClass::EXTERNAL_PUBLIC,
            'dataClassifications' => [DataClassification::PRODUCT_KNOWLEDGE, DataClassification::SECRET]]));

        self::assertSame([BlockReason::PROVIDER_CLASS_NOT_PERMITTED, BlockReason::DATA_CLASSIFICATION_NOT_PERMITTED],
            $decision->reasons);
        self::assertSame([ProviderClass::LOCAL_PRIVATE], $decision->permittedProviderClasses);
        self::assertSame([DataClassification::PRODUCT_KNOWLEDGE, DataClassification::OPERATIONAL_METADATA],
            $decision->permittedDataClassifications);
        $fallback = $governance->evaluate(Requests::approved('ws-1', ['providerClass' => $decision->permittedProviderClasses[0],
            'dataClassifications' => [DataClassification::PRODUCT_KNOWLEDGE]]));
        self::assertTrue($fallback->allowed(), $fallback->message);

        // Any other block says nothing of what would pass.
        $tenant = $governance->evaluate(Requests::approved('ws-1', ['providerClass' => ProviderClass::EXTERNAL_PUBLIC,
            'tenantId' => 'tenant-1']));
        self::assertSame([], $tenant->permittedProviderClasses);
        self::assertSame([], $tenant->permittedDataClassifications);
    }

    public function testAnUnknownUseCaseIsABlockNotAnError(): void
    {
        $decision = (new InMemoryAiGovernance())->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY)
            ->evaluate(Requests::approved('ws-1', ['useCase' => 'marketing.copy_draft', 'tenantId' => 't-1']));

        self::assertSame([BlockReason::USE_CASE_NOT_APPROVED], $decision->reasons, 'the use case rules need a use case');
        self::assertNull($decision->failure);
    }

    public function testAGlobalPauseStopsEveryWorkspaceAndAWorkspaceResumeDoesNotLiftIt(): void
    {
        $governance = (new InMemoryAiGovernance())->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY)
            ->pause(ControlScope::global())->resume(ControlScope::workspace('ws-1'));

        $decision = $governance->evaluate(Requests::approved('ws-1'));
        self::assertSame([BlockReason::AI_EXECUTION_PAUSED], $decision->reasons);
        self::assertSame('Blocked: AI execution is paused globally.', $decision->message);
        self::assertSame(1, $decision->basis->controlVersion);

        $governance->resume(ControlScope::global())->pause(ControlScope::workspace('ws-1'));
        self::assertSame("Blocked: AI execution is paused for workspace 'ws-1'.", $governance->evaluate(Requests::approved('ws-1'))->message);
        self::assertTrue($governance->evaluate(Requests::approved('ws-2'))->reasons === [BlockReason::WORKSPACE_POLICY_DISABLED]);
        self::assertTrue($governance->resume(ControlScope::workspace('ws-1'))->evaluate(Requests::approved('ws-1'))->allowed());
    }

    public function testSettingTheModeInForceChangesNoVersion(): void
    {
        $governance = (new InMemoryAiGovernance())->setPolicyMode('ws-1', PolicyMode::DISABLED);
        self::assertSame(0, $governance->evaluate(Requests::approved('ws-1'))->basis->policyVersion);
        $governance->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY)->setPolicyMode('ws-1', PolicyMode::DISABLED);
        $decision = $governance->evaluate(Requests::approved('ws-1'));
        self::assertSame(2, $decision->basis->policyVersion);
        self::assertSame("Blocked: workspace 'ws-1' has its AI policy set to disabled.", $decision->message);
    }

    public function testTheGuardNeverRunsTheWorkOnABlockOfAnyReason(): void
    {
        $governance = (new InMemoryAiGovernance())->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY);
        $runs = 0;
        $work = function () use (&$runs) {
            $runs++;
            return 'draft';
        };
        $seen = [];
        foreach (Requests::table() as $changes) {
            try {
                $governance->runIfAllowed(Requests::approved('ws-1', $changes), $work);
            } catch (AiExecutionBlockedException $blocked) {
                $seen = array_merge($seen, $blocked->decision->reasons);
            }
        }
        foreach ([FailureKind::UNAVAILABLE, FailureKind::REJECTED_CALLER, FailureKind::REJECTED_REQUEST, FailureKind::CLIENT_OUTDATED] as $kind) {
            try {
                $governance->failNext($kind)->runIfAllowed(Requests::approved('ws-1'), $work);
            } catch (AiExecutionBlockedException $blocked) {
                $seen[] = $blocked->decision->reason();
            }
        }
        try {
            $governance->pause(ControlScope::workspace('ws-1'))->runIfAllowed(Requests::approved('ws-1'), $work);
        } catch (AiExecutionBlockedException $blocked) {
            $seen[] = $blocked->decision->reason();
        }
        try {
            $governance->runIfAllowed(Requests::approved('ws-never-set'), $work);
        } catch (AiExecutionBlockedException $blocked) {
            $seen[] = $blocked->decision->reason();
        }

        self::assertSame(2, $runs, 'the two allowed rows of the table, and nothing else');
        $reasons = array_map(fn (BlockReason $r) => $r->name, array_unique($seen, SORT_REGULAR));
        foreach (BlockReason::cases() as $reason) {
            if ($reason !== BlockReason::UNRECOGNIZED) {
                self::assertContains($reason->name, $reasons, 'every block reason was reached');
            }
        }
    }

    public function testInjectedFailuresComeInOrderThenStop(): void
    {
        $governance = (new InMemoryAiGovernance())->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY)
            ->failNext(FailureKind::UNAVAILABLE)->failNext(FailureKind::REJECTED_CALLER);

        self::assertSame(BlockReason::GOVERNANCE_UNAVAILABLE, $governance->evaluate(Requests::approved('ws-1'))->reason());
        self::assertSame(BlockReason::GOVERNANCE_REJECTED_CALLER, $governance->evaluate(Requests::approved('ws-1'))->reason());
        self::assertTrue($governance->evaluate(Requests::approved('ws-1'))->allowed());
        $governance->failAlways(FailureKind::UNAVAILABLE);
        self::assertFalse($governance->evaluate(Requests::approved('ws-1'))->allowed());
        self::assertFalse($governance->evaluate(Requests::approved('ws-1'))->allowed());
        self::assertTrue($governance->stopFailing()->evaluate(Requests::approved('ws-1'))->allowed());
        self::assertCount(6, $governance->evaluations());
        self::assertSame($governance->decisions()[5], $governance->lastDecision());
    }

    public function testAMalformedIdIsARefusedRequestNamingTheField(): void
    {
        $governance = new InMemoryAiGovernance();
        $decision = $governance->evaluate(Requests::approved('not a workspace!', ['actor' => Actor::service('svc 1')]));

        self::assertSame(FailureKind::REJECTED_REQUEST, $decision->failure->kind);
        self::assertSame('INVALID_ARGUMENT', $decision->failure->code);
        self::assertSame('ERROR_REASON_INVALID_FIELD', $decision->failure->errorReason);
        self::assertSame(['field' => 'actor.id'], $decision->failure->errorMetadata, 'the server checks the actor first');
    }

    public function testTheShippedCatalogIsACopyOfTheServersBuiltInOne(): void
    {
        $server = self::repository() . '/server/catalog/src/main/resources/catalog/default.json';
        if (!is_file($server)) {
            self::markTestSkipped('outside the aigov repository');
        }
        self::assertFileEquals($server, Catalog::builtInFile());
    }

    /** The catalog's own test suite (docs/catalog.md), which `catalog test` runs with the server's Rules, holds for the port too. */
    public function testTheBuiltInCatalogsTestSuitePasses(): void
    {
        $suiteFile = self::repository() . '/server/catalog/src/test/resources/catalog/default.tests.json';
        if (!is_file($suiteFile)) {
            self::markTestSkipped('outside the aigov repository');
        }
        $suite = json_decode((string) file_get_contents($suiteFile), true, 32, JSON_THROW_ON_ERROR);
        self::assertNotEmpty($suite['cases']);
        foreach ($suite['cases'] as $case) {
            $governance = new InMemoryAiGovernance();
            $workspace = $case['request']['workspace_id'] ?? 'catalog-test';
            $governance->setPolicyMode($workspace, PolicyMode::from($case['policy_mode']));
            foreach ($case['paused'] ?? [] as $scope) {
                $governance->pause($scope === 'global' ? ControlScope::global() : ControlScope::workspace($workspace));
            }
            $r = $case['request'];
            $decision = $governance->evaluate(new AiRequest($workspace, $r['use_case'], ProviderClass::from($r['provider_class']),
                array_map(fn (string $c) => DataClassification::from($c), $r['data_classifications']), $r['source_family'],
                Actor::service('catalog-test'), $r['tenant_id'] ?? null));
            $expect = $case['expect'];
            self::assertSame($expect['outcome'] === 'allow', $decision->allowed(), $case['name'] . ': ' . $decision);
            if (isset($expect['reasons'])) {
                $decided = array_map(fn (BlockReason $b) => $b->value, $decision->reasons);
                sort($decided);
                $expected = $expect['reasons'];
                sort($expected);
                self::assertSame($expected, $decided, $case['name']);
            }
            if (isset($expect['rejected_classifications'])) {
                self::assertEqualsCanonicalizing($expect['rejected_classifications'],
                    array_map(fn (DataClassification $c) => $c->value, $decision->rejectedClassifications), $case['name']);
            }
        }
    }

    public function testItDecidesWithTheCatalogFileItIsGiven(): void
    {
        $file = tempnam(sys_get_temp_dir(), 'catalog-');
        file_put_contents($file, json_encode(['format' => 1, 'use_cases' => [[
            'key' => 'billing.invoice_summary', 'description' => 'Summarise an invoice.', 'source_family' => 'billing',
            'tenant_context_permitted' => true, 'provider_classes' => ['local_private'], 'data_classifications' => ['operational_metadata'],
        ]]]));
        try {
            $governance = (new InMemoryAiGovernance($file))->setPolicyMode('ws-1', PolicyMode::PRIVATE_ONLY);
            self::assertTrue($governance->evaluate(Requests::approved('ws-1', ['useCase' => 'billing.invoice_summary',
                'sourceFamily' => 'billing', 'dataClassifications' => [DataClassification::OPERATIONAL_METADATA]]))->allowed());
            self::assertSame([BlockReason::USE_CASE_NOT_APPROVED], $governance->evaluate(Requests::approved('ws-1'))->reasons);
        } finally {
            unlink($file);
        }
    }

    /** @return array<string, array{mixed, string}> */
    public static function invalidCatalogs(): array
    {
        $useCase = ['key' => 'a.b', 'description' => 'd', 'source_family' => 'f', 'tenant_context_permitted' => false,
            'provider_classes' => ['local_private'], 'data_classifications' => ['secret']];
        return [
            'format 2' => [['format' => 2, 'use_cases' => []], 'format'],
            'a misspelt field' => [['format' => 1, 'use_case' => []], "unknown field 'use_case'"],
            'an unknown classification' => [['format' => 1, 'use_cases' => [['data_classifications' => ['tenant_config']] + $useCase]],
                'use_cases[0].data_classifications[0]: unknown word "tenant_config"'],
            'only external providers' => [['format' => 1, 'use_cases' => [['provider_classes' => ['external_public']] + $useCase]],
                'use_cases[0].provider_classes: no policy mode permits'],
            'a key twice' => [['format' => 1, 'use_cases' => [$useCase, $useCase]], "use_cases[1].key: 'a.b' is listed twice"],
            'a missing field' => [['format' => 1, 'use_cases' => [array_diff_key($useCase, ['description' => 1])]],
                'use_cases[0].description: is required'],
        ];
    }

    /** @dataProvider invalidCatalogs */
    public function testAnInvalidCatalogIsRefusedNamingTheField(mixed $json, string $problem): void
    {
        try {
            Catalog::fromArray($json, 'test.json');
            self::fail('accepted');
        } catch (\InvalidArgumentException $e) {
            self::assertStringContainsString('catalog file test.json: ' . $problem, $e->getMessage());
        }
    }
}
