<?php

declare(strict_types=1);

namespace Aigov\Client\Tests;

use Aigov\Client\AiDecision;
use Aigov\Client\AiExecutionBlockedException;
use Aigov\Client\AiGovernanceClient;
use Aigov\Client\BlockReason;
use Aigov\Client\FailureKind;
use Aigov\Client\PolicyMode;
use Aigov\Client\Testing\ControlScope;
use Aigov\Client\Testing\InMemoryAiGovernance;
use Aigov\Client\Tests\Support\FakeAigov;
use Aigov\Client\Tests\Support\RealServer;
use Aigov\Client\Tests\Support\Requests;
use PHPUnit\Framework\TestCase;

/**
 * The client against the real aigov the build started (PhpClientIT: the shaded jar, its embedded
 * PostgreSQL, tokens minted by its own `token create`), over its Connect port. Each test takes fresh
 * workspace ids, so that the tests share the server without sharing state; the one global pause is
 * lifted in a finally.
 */
final class RealServerTest extends TestCase
{
    /** Patient: the server applies a change a moment after it is acknowledged, and the machine is shared. */
    private const PATIENT_MS = 10_000;

    private RealServer $server;
    private AiGovernanceClient $client;

    protected function setUp(): void
    {
        $this->server = RealServer::fromEnvironment();
        $this->client = new AiGovernanceClient($this->server->url, $this->server->siblingToken, deadlineMs: self::PATIENT_MS);
    }

    private static function workspace(): string
    {
        return 'php-' . bin2hex(random_bytes(6));
    }

    public function testAnApprovedRequestInAPrivateOnlyWorkspaceIsAllowedAndAudited(): void
    {
        $workspace = self::workspace();
        $this->server->setPolicy($workspace, 'private_only');
        $decision = $this->awaitDecision(Requests::approved($workspace), fn (AiDecision $d) => $d->allowed());

        self::assertMatchesRegularExpression('/^[0-9a-f-]{36}$/', $decision->decisionId);
        self::assertSame(PolicyMode::PRIVATE_ONLY, $decision->basis->effectivePolicyMode);
        self::assertSame(1, $decision->basis->policyVersion);
        self::assertSame("Allowed: use case 'product_knowledge.answer_draft' may send product_knowledge to a local_private "
            . "provider for workspace '$workspace'.", $decision->message);
        $events = array_values(array_filter($this->server->decisionEvents($workspace),
            fn (array $e) => $e['requestId'] === $decision->requestId));
        self::assertCount(1, $events);
        self::assertSame($decision->auditEventId, $events[0]['eventId']);
        self::assertSame('OUTCOME_ALLOW', $events[0]['decision']['outcome']);
        self::assertSame(AiGovernanceClient::VERSION_HEADER_VALUE, $events[0]['decision']['clientVersion'],
            'the audit event records the version header');
    }

    public function testTheGuardRunsTheWorkOnlyOnTheAllowAndNeverOnABlock(): void
    {
        $workspace = self::workspace();
        $this->server->setPolicy($workspace, 'private_only');
        $this->awaitDecision(Requests::approved($workspace), fn (AiDecision $d) => $d->allowed());
        $runs = [];
        $reasons = [];
        foreach (Requests::table() as $row => $changes) {
            try {
                $this->client->runIfAllowed(Requests::approved($workspace, $changes), function () use (&$runs, $row) {
                    $runs[] = $row;
                    return 'draft';
                });
            } catch (AiExecutionBlockedException $blocked) {
                $reasons = array_merge($reasons, $blocked->decision->reasons);
            }
        }
        self::assertSame(['as approved', 'a support summary with tenant context'], $runs);
        foreach ([BlockReason::USE_CASE_NOT_APPROVED, BlockReason::PROVIDER_CLASS_NOT_PERMITTED, BlockReason::TENANT_CONTEXT_NOT_PERMITTED,
            BlockReason::SOURCE_FAMILY_NOT_PERMITTED, BlockReason::DATA_CLASSIFICATION_NOT_PERMITTED,
            BlockReason::GOVERNANCE_REJECTED_REQUEST] as $expected) {
            self::assertContains($expected, $reasons);
        }

        $this->server->setControl($workspace, true);
        try {
            $paused = $this->awaitDecision(Requests::approved($workspace), fn (AiDecision $d) => !$d->allowed());
            self::assertSame([BlockReason::AI_EXECUTION_PAUSED], $paused->reasons);
            $ran = false;
            try {
                $this->client->runIfAllowed(Requests::approved($workspace), function () use (&$ran) {
                    $ran = true;
                });
            } catch (AiExecutionBlockedException $blocked) {
                self::assertSame(BlockReason::AI_EXECUTION_PAUSED, $blocked->decision->reason());
            }
            self::assertFalse($ran, 'the work ran under a pause');
        } finally {
            $this->server->setControl($workspace, false);
        }
        $never = $this->client->evaluate(Requests::approved(self::workspace()));
        self::assertSame([BlockReason::WORKSPACE_POLICY_DISABLED], $never->reasons);
    }

    public function testTheClientKeepsItsConnectionOpenBetweenCalls(): void
    {
        $this->client->evaluate(Requests::approved(self::workspace()));
        $handle = (new \ReflectionProperty(AiGovernanceClient::class, 'curl'))->getValue($this->client);
        self::assertInstanceOf(\CurlHandle::class, $handle);

        $this->client->evaluate(Requests::approved(self::workspace()));

        self::assertSame($handle, (new \ReflectionProperty(AiGovernanceClient::class, 'curl'))->getValue($this->client));
        self::assertSame(0, curl_getinfo($handle, CURLINFO_NUM_CONNECTS), 'the second call opened no new connection');
    }

    public function testAnUnknownTokenIsARejectedCaller(): void
    {
        $client = new AiGovernanceClient($this->server->url, 'aigov_' . str_repeat('x', 40), deadlineMs: self::PATIENT_MS);
        $decision = $client->evaluate(Requests::approved(self::workspace()));

        self::assertSame(FailureKind::REJECTED_CALLER, $decision->failure->kind);
        self::assertSame('UNAUTHENTICATED', $decision->failure->code);
        self::assertSame('ERROR_REASON_INVALID_CREDENTIAL', $decision->failure->errorReason);
    }

    public function testATokenWithoutTheCapabilityIsARejectedCaller(): void
    {
        $client = new AiGovernanceClient($this->server->url, $this->server->opsToken, deadlineMs: self::PATIENT_MS);
        $decision = $client->evaluate(Requests::approved(self::workspace()));

        self::assertSame(FailureKind::REJECTED_CALLER, $decision->failure->kind);
        self::assertSame('PERMISSION_DENIED', $decision->failure->code);
        self::assertSame('ERROR_REASON_MISSING_CAPABILITY', $decision->failure->errorReason);
        self::assertSame('ai.decisions.evaluate', $decision->failure->errorMetadata['capability'] ?? null);
    }

    public function testAMalformedFieldIsARejectedRequestNamingIt(): void
    {
        $decision = $this->client->evaluate(Requests::approved('not a workspace!'));

        self::assertSame(FailureKind::REJECTED_REQUEST, $decision->failure->kind);
        self::assertSame('INVALID_ARGUMENT', $decision->failure->code);
        self::assertSame('ERROR_REASON_INVALID_FIELD', $decision->failure->errorReason);
        self::assertSame(['field' => 'workspace_id'], $decision->failure->errorMetadata);
        self::assertStringContainsString('workspace_id', $decision->failure->description);
    }

    /**
     * Two answers lost on the way (a proxy forwards each attempt to aigov, then answers 503 instead):
     * the client's retries carry one request_id, aigov answers each with the same decision, and the
     * audit trail holds one event for it.
     */
    public function testRetriesKeepOneRequestIdAndLeaveOneAuditEvent(): void
    {
        $workspace = self::workspace();
        $this->server->setPolicy($workspace, 'private_only');
        $this->awaitDecision(Requests::approved($workspace), fn (AiDecision $d) => $d->allowed());
        $lost = ['forward' => true, 'replace' => FakeAigov::error(503, 'unavailable', 'ERROR_REASON_SERVICE_UNAVAILABLE')];
        $proxy = FakeAigov::answering([$lost, $lost, ['forward' => true]], $this->server->url);
        try {
            $client = new AiGovernanceClient($proxy->url(), $this->server->siblingToken, deadlineMs: self::PATIENT_MS);
            $decision = $client->evaluate(Requests::approved($workspace));

            self::assertTrue($decision->allowed(), (string) $decision);
            $attempts = $proxy->requests();
            self::assertCount(3, $attempts);
            $requestIds = array_unique(array_map(fn (array $a) => json_decode($a['body'], true)['request_id'], $attempts));
            self::assertSame([$decision->requestId], array_values($requestIds));
            $decisionIds = array_unique(array_map(fn (array $a) => json_decode($a['upstream']['body'], true)['decision']['decisionId'],
                $attempts));
            self::assertSame([$decision->decisionId], array_values($decisionIds), 'aigov answered every attempt with the first decision');
        } finally {
            $proxy->stop();
        }
        $events = array_values(array_filter($this->server->decisionEvents($workspace),
            fn (array $e) => $e['requestId'] === $decision->requestId));
        self::assertCount(1, $events, 'one audit event for the three attempts');
        self::assertSame($decision->auditEventId, $events[0]['eventId']);
    }

    /** @return array<string, array{string, string}> */
    public static function states(): array
    {
        $states = [];
        foreach (['never_set', 'disabled', 'private_only'] as $mode) {
            foreach (['none', 'workspace', 'global'] as $pause) {
                $states["policy $mode, paused $pause"] = [$mode, $pause];
            }
        }
        return $states;
    }

    /**
     * The decision table, asked of the real server and of the in-memory double in the same state:
     * outcome, reasons in order, rejected classifications, the server's message word for word, the
     * basis, and the kind, code, reason and field of a refused request must agree.
     *
     * @dataProvider states
     */
    public function testTheInMemoryDoubleAgreesWithTheServer(string $mode, string $pause): void
    {
        $workspace = self::workspace();
        $double = new InMemoryAiGovernance();
        if ($mode !== 'never_set') {
            $this->server->setPolicy($workspace, $mode);
            $double->setPolicyMode($workspace, PolicyMode::from($mode));
        }
        if ($pause !== 'none') {
            $this->server->setControl($pause === 'global' ? null : $workspace, true);
            $double->pause($pause === 'global' ? ControlScope::global() : ControlScope::workspace($workspace));
        }
        try {
            $expected = $double->evaluate(Requests::approved($workspace));
            $this->awaitDecision(Requests::approved($workspace), fn (AiDecision $d) => self::state($d) === self::state($expected));
            foreach (Requests::table() as $row => $changes) {
                $request = Requests::approved($workspace, $changes);
                self::assertAgree($row, $this->client->evaluate($request), $double->evaluate($request));
            }
        } finally {
            if ($pause !== 'none') {
                $this->server->setControl($pause === 'global' ? null : $workspace, false);
            }
        }
    }

    private static function assertAgree(string $row, AiDecision $real, AiDecision $double): void
    {
        self::assertSame($real->allowed(), $double->allowed(), "$row: allowed ($real)");
        self::assertSame($real->reasons, $double->reasons, "$row: reasons");
        self::assertSame($real->rejectedClassifications, $double->rejectedClassifications, "$row: rejected");
        self::assertSame($real->permittedProviderClasses, $double->permittedProviderClasses, "$row: permitted classes");
        self::assertSame($real->permittedDataClassifications, $double->permittedDataClassifications,
            "$row: permitted classifications");
        if ($real->failure === null) {
            self::assertSame($real->message, $double->message, "$row: message");
        }
        self::assertSame(self::state($real), self::state($double), "$row: basis");
        $failure = fn (AiDecision $d) => $d->failure === null ? null
            : [$d->failure->kind, $d->failure->code, $d->failure->errorReason, $d->failure->errorMetadata];
        self::assertSame($failure($real), $failure($double), "$row: failure");
    }

    /** What a basis says of the state, without the control version (the real global control has a history). */
    private static function state(AiDecision $decision): ?array
    {
        $basis = $decision->basis;
        return $basis === null ? null : [$basis->effectivePolicyMode, $basis->policyVersion, $basis->executionState];
    }

    /** Asks until the decision satisfies $until (a replica applies an acknowledged change a moment later), within PATIENT_MS. */
    private function awaitDecision(\Aigov\Client\AiRequest $request, callable $until): AiDecision
    {
        $giveUp = hrtime(true) + self::PATIENT_MS * 1_000_000;
        while (true) {
            $decision = $this->client->evaluate($request);
            if ($until($decision)) {
                return $decision;
            }
            self::assertLessThan($giveUp, hrtime(true), 'the server did not apply the state within ' . self::PATIENT_MS . " ms: $decision");
            usleep(20_000); // between two polls of a condition with a deadline
        }
    }
}
