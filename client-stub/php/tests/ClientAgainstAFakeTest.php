<?php

declare(strict_types=1);

namespace Aigov\Client\Tests;

use Aigov\Client\AiExecutionBlockedException;
use Aigov\Client\AiGovernanceClient;
use Aigov\Client\BlockReason;
use Aigov\Client\FailureKind;
use Aigov\Client\PolicyMode;
use Aigov\Client\Tests\Support\FakeAigov;
use Aigov\Client\Tests\Support\PhpServer;
use Aigov\Client\Tests\Support\RecordingLogger;
use Aigov\Client\Tests\Support\Requests;
use PHPUnit\Framework\TestCase;

/**
 * The client against a scripted aigov on a loopback port (php -S): what it sends, how it reads every
 * answer and every error, its retries, its deadline, and that nothing but a complete ALLOW opens the guard.
 */
final class ClientAgainstAFakeTest extends TestCase
{
    /** What a loaded 2-core machine may add to a deadline: process scheduling, not the client's waiting. */
    private const MARGIN_MS = 250;

    private ?FakeAigov $fake = null;

    protected function tearDown(): void
    {
        $this->fake?->stop();
    }

    private function client(array $script, int $deadlineMs = 2000, int $maxAttempts = 3, ?RecordingLogger $logger = null): AiGovernanceClient
    {
        $this->fake = FakeAigov::answering($script);
        return new AiGovernanceClient($this->fake->url(), 'aigov_test-token', $deadlineMs, $maxAttempts, $logger);
    }

    public function testItSpeaksConnectUnaryJsonWithTheTokenTheVersionAndTheDeadline(): void
    {
        $client = $this->client([FakeAigov::allow()], deadlineMs: 1500);
        $decision = $client->evaluate(Requests::approved('acme', ['tenantId' => null]));

        self::assertTrue($decision->allowed(), (string) $decision);
        [$sent] = $this->fake->requests();
        self::assertSame('POST', $sent['method']);
        self::assertSame('/aigov.v1.DecisionService/EvaluateAiRequest', $sent['path']);
        self::assertSame('application/json', $sent['headers']['content-type']);
        self::assertSame('1', $sent['headers']['connect-protocol-version']);
        self::assertSame('Bearer aigov_test-token', $sent['headers']['authorization']);
        self::assertSame('php-' . AiGovernanceClient::VERSION, $sent['headers']['aigov-client-version']);
        self::assertMatchesRegularExpression('/^[A-Za-z0-9._+-]{1,64}$/', $sent['headers']['aigov-client-version'],
            'the shape the server records (anything else is recorded as "invalid")');
        $timeout = (int) $sent['headers']['connect-timeout-ms'];
        self::assertGreaterThan(1000, $timeout);
        self::assertLessThanOrEqual(1500, $timeout);
        $body = json_decode($sent['body'], true);
        self::assertSame([
            'workspace_id' => 'acme',
            'use_case' => 'product_knowledge.answer_draft',
            'provider_class' => 'PROVIDER_CLASS_LOCAL_PRIVATE',
            'data_classifications' => ['DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE'],
            'source_family' => 'product_knowledge',
            'actor' => ['id' => 'user-7', 'kind' => 'ACTOR_KIND_USER'],
            'request_id' => $decision->requestId,
            'caller_surface' => 'tests.matrix',
        ], $body);
        self::assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/',
            $decision->requestId, 'a UUID v4');
    }

    public function testACompleteAllowIsAnAllowAndTheGuardRunsTheWorkOnce(): void
    {
        $client = $this->client([FakeAigov::allow()]);
        $runs = 0;

        $result = $client->runIfAllowed(Requests::approved('acme'), function () use (&$runs) {
            $runs++;
            return 'a draft';
        });

        self::assertSame('a draft', $result);
        self::assertSame(1, $runs);
        $decision = $client->evaluate(Requests::approved('acme'));
        self::assertSame('6f1c1b0e-3d7e-4b8e-9a51-0c7d2f0e9a11', $decision->decisionId);
        self::assertSame('0b9f5a5e-8f0e-4d43-9e29-7a3f2c1d0e55', $decision->auditEventId);
        self::assertSame(PolicyMode::PRIVATE_ONLY, $decision->basis->effectivePolicyMode);
        self::assertSame(1, $decision->basis->policyVersion);
        self::assertSame(4, $decision->basis->controlVersion);
        self::assertNull($decision->reason());
    }

    public function testEachRequestGetsItsOwnRequestIdUnlessTheCallerGivesOne(): void
    {
        $client = $this->client([FakeAigov::allow()]);
        $first = $client->evaluate(Requests::approved('acme'));
        $second = $client->evaluate(Requests::approved('acme'));
        $given = $client->evaluate(Requests::approved('acme', ['requestId' => '3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44']));

        self::assertNotSame($first->requestId, $second->requestId);
        self::assertSame('3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44', $given->requestId);
        self::assertSame('3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44', json_decode($this->fake->requests()[2]['body'], true)['request_id']);
    }

    /** @return array<string, array{array, FailureKind}> */
    public static function answersThatAreNoAllow(): array
    {
        return [
            'an ALLOW without a decision id' => [FakeAigov::allow(['decisionId' => '']), FailureKind::UNAVAILABLE],
            'an ALLOW without an audit event id' => [FakeAigov::allow(['auditEventId' => null]), FailureKind::UNAVAILABLE],
            'an ALLOW with a reason' => [FakeAigov::allow(['reason' => 'BLOCK_REASON_AI_EXECUTION_PAUSED']), FailureKind::UNAVAILABLE],
            'an ALLOW with reasons' => [FakeAigov::allow(['allReasons' => ['BLOCK_REASON_AI_EXECUTION_PAUSED']]), FailureKind::UNAVAILABLE],
            'an ALLOW with rejected classifications' => [FakeAigov::allow(['rejectedClassifications' => ['DATA_CLASSIFICATION_SECRET']]),
                FailureKind::UNAVAILABLE],
            'an ALLOW under a pause' => [FakeAigov::allow(['executionState' => 'CONTROL_STATE_PAUSED']), FailureKind::UNAVAILABLE],
            'an ALLOW under a disabled policy' => [FakeAigov::allow(['effectivePolicyMode' => 'POLICY_MODE_DISABLED']),
                FailureKind::UNAVAILABLE],
            'an ALLOW without a policy mode' => [FakeAigov::allow(['effectivePolicyMode' => null]), FailureKind::CLIENT_OUTDATED],
            'an ALLOW under a newer policy mode' => [FakeAigov::allow(['effectivePolicyMode' => 'POLICY_MODE_EXTERNAL_OK']),
                FailureKind::CLIENT_OUTDATED],
            'an ALLOW under a newer mode number' => [FakeAigov::allow(['effectivePolicyMode' => 7]), FailureKind::CLIENT_OUTDATED],
            'an ALLOW under a newer execution state' => [FakeAigov::allow(['executionState' => 'CONTROL_STATE_DRAINING']),
                FailureKind::CLIENT_OUTDATED],
            'a newer outcome' => [FakeAigov::allow(['outcome' => 'OUTCOME_ALLOW_WITH_REVIEW']), FailureKind::CLIENT_OUTDATED],
            'a newer outcome number' => [FakeAigov::allow(['outcome' => 3]), FailureKind::CLIENT_OUTDATED],
            'no outcome' => [FakeAigov::allow(['outcome' => null]), FailureKind::UNAVAILABLE],
            'OUTCOME_UNSPECIFIED' => [FakeAigov::allow(['outcome' => 'OUTCOME_UNSPECIFIED']), FailureKind::UNAVAILABLE],
            'an outcome that is true' => [FakeAigov::allow(['outcome' => true]), FailureKind::UNAVAILABLE],
            'an outcome that is a list' => [FakeAigov::allow(['outcome' => ['OUTCOME_ALLOW']]), FailureKind::UNAVAILABLE],
            'no decision' => [['status' => 200, 'body' => ['outcome' => 'OUTCOME_ALLOW']], FailureKind::UNAVAILABLE],
            'a body that is not JSON' => [['status' => 200, 'body' => '<html>OUTCOME_ALLOW</html>', 'content_type' => 'text/html'],
                FailureKind::UNAVAILABLE],
            'an empty body' => [['status' => 200, 'body' => ''], FailureKind::UNAVAILABLE],
            'a proxy\'s 502 page' => [['status' => 502, 'body' => '<html>Bad Gateway</html>', 'content_type' => 'text/html'],
                FailureKind::UNAVAILABLE],
            'a 404 without a Connect body' => [['status' => 404, 'body' => 'not found', 'content_type' => 'text/plain'],
                FailureKind::UNAVAILABLE],
            'a 401 without a Connect body' => [['status' => 401, 'body' => ''], FailureKind::REJECTED_CALLER],
        ];
    }

    /** @dataProvider answersThatAreNoAllow */
    public function testNothingButACompleteAllowOpensTheGuard(array $answer, FailureKind $kind): void
    {
        $client = $this->client([$answer], maxAttempts: 1);
        $ran = false;
        try {
            $client->runIfAllowed(Requests::approved('acme'), function () use (&$ran) {
                $ran = true;
            });
            self::fail('the guard opened');
        } catch (AiExecutionBlockedException $blocked) {
            self::assertFalse($ran, 'the work ran');
            self::assertFalse($blocked->decision->allowed());
            self::assertSame($kind, $blocked->decision->failure?->kind, (string) $blocked->decision);
            self::assertSame($kind->blockReason(), $blocked->decision->reason());
        }
    }

    /** @return array<string, array{array, FailureKind, string}> */
    public static function errors(): array
    {
        return [
            'unauthenticated' => [FakeAigov::error(401, 'unauthenticated', 'ERROR_REASON_INVALID_CREDENTIAL'),
                FailureKind::REJECTED_CALLER, 'UNAUTHENTICATED'],
            'permission denied' => [FakeAigov::error(403, 'permission_denied', 'ERROR_REASON_MISSING_CAPABILITY',
                ['capability' => 'ai.decisions.evaluate']), FailureKind::REJECTED_CALLER, 'PERMISSION_DENIED'],
            'too many failed authentications' => [FakeAigov::error(429, 'resource_exhausted',
                'ERROR_REASON_TOO_MANY_FAILED_AUTHENTICATIONS', ['retry_after_ms' => '1000']), FailureKind::REJECTED_CALLER,
                'RESOURCE_EXHAUSTED'],
            'resource exhausted otherwise' => [FakeAigov::error(429, 'resource_exhausted'), FailureKind::UNAVAILABLE,
                'RESOURCE_EXHAUSTED'],
            'invalid argument' => [FakeAigov::error(400, 'invalid_argument', 'ERROR_REASON_INVALID_FIELD', ['field' => 'actor.id']),
                FailureKind::REJECTED_REQUEST, 'INVALID_ARGUMENT'],
            'already exists' => [FakeAigov::error(409, 'already_exists', 'ERROR_REASON_REQUEST_ID_REUSED'),
                FailureKind::REJECTED_REQUEST, 'ALREADY_EXISTS'],
            'not found' => [FakeAigov::error(404, 'not_found'), FailureKind::REJECTED_REQUEST, 'NOT_FOUND'],
            'aborted' => [FakeAigov::error(409, 'aborted'), FailureKind::REJECTED_REQUEST, 'ABORTED'],
            'failed precondition' => [FakeAigov::error(400, 'failed_precondition'), FailureKind::REJECTED_REQUEST, 'FAILED_PRECONDITION'],
            'out of range' => [FakeAigov::error(400, 'out_of_range'), FailureKind::REJECTED_REQUEST, 'OUT_OF_RANGE'],
            'unavailable' => [FakeAigov::error(503, 'unavailable', 'ERROR_REASON_STORAGE_UNAVAILABLE'), FailureKind::UNAVAILABLE,
                'UNAVAILABLE'],
            'canceled' => [FakeAigov::error(499, 'canceled', 'ERROR_REASON_CALLER_GONE', ['stage' => 'serving']),
                FailureKind::UNAVAILABLE, 'CANCELLED'],
            'deadline exceeded' => [FakeAigov::error(504, 'deadline_exceeded'), FailureKind::UNAVAILABLE, 'DEADLINE_EXCEEDED'],
            'internal' => [FakeAigov::error(500, 'internal'), FailureKind::UNAVAILABLE, 'INTERNAL'],
            'unknown' => [FakeAigov::error(500, 'unknown'), FailureKind::UNAVAILABLE, 'UNKNOWN'],
            'unimplemented' => [FakeAigov::error(501, 'unimplemented'), FailureKind::UNAVAILABLE, 'UNIMPLEMENTED'],
            'data loss' => [FakeAigov::error(500, 'data_loss'), FailureKind::UNAVAILABLE, 'DATA_LOSS'],
            'a code the protocol does not have' => [['status' => 418, 'body' => ['code' => 'teapot']], FailureKind::UNAVAILABLE,
                'UNKNOWN'],
        ];
    }

    /** @dataProvider errors */
    public function testEachErrorIsTheBlockOfItsKindWithItsErrorInfo(array $error, FailureKind $kind, string $code): void
    {
        $client = $this->client([$error], maxAttempts: 1);
        $decision = $client->evaluate(Requests::approved('acme'));

        self::assertFalse($decision->allowed());
        self::assertSame($kind, $decision->failure->kind);
        self::assertSame($code, $decision->failure->code);
        $debug = $error['body']['details'][0]['debug'] ?? null;
        self::assertSame($debug['reason'] ?? '', $decision->failure->errorReason);
        self::assertSame((array) ($debug['metadata'] ?? []), $decision->failure->errorMetadata);
    }

    public function testTheErrorInfoIsReadFromItsProtobufValueEvenWithoutDebug(): void
    {
        $error = FakeAigov::error(400, 'invalid_argument', 'ERROR_REASON_INVALID_FIELD', ['field' => 'workspace_id']);
        unset($error['body']['details'][0]['debug']);
        $decision = $this->client([$error])->evaluate(Requests::approved('acme'));

        self::assertSame('ERROR_REASON_INVALID_FIELD', $decision->failure->errorReason);
        self::assertSame(['field' => 'workspace_id'], $decision->failure->errorMetadata);
    }

    public function testUnavailableIsRetriedUnderOneRequestIdWithBackoff(): void
    {
        $unavailable = FakeAigov::error(503, 'unavailable', 'ERROR_REASON_OVERLOADED');
        $client = $this->client([$unavailable, $unavailable, FakeAigov::allow()]);

        $decision = $client->evaluate(Requests::approved('acme'));

        self::assertTrue($decision->allowed(), (string) $decision);
        $sent = $this->fake->requests();
        self::assertCount(3, $sent);
        $ids = array_unique(array_map(fn (array $r) => json_decode($r['body'], true)['request_id'], $sent));
        self::assertSame([$decision->requestId], array_values($ids), 'every attempt carries the same request_id');
        self::assertSame(1, count(array_unique(array_map(fn (array $r) => $r['body'], $sent))), 'the same body each time');
    }

    public function testRetriesStopAtTheLastAttempt(): void
    {
        $client = $this->client([FakeAigov::error(503, 'unavailable', 'ERROR_REASON_STATE_STALE')], maxAttempts: 3);
        $decision = $client->evaluate(Requests::approved('acme'));

        self::assertSame(BlockReason::GOVERNANCE_UNAVAILABLE, $decision->reason());
        self::assertSame('ERROR_REASON_STATE_STALE', $decision->failure->errorReason);
        self::assertCount(3, $this->fake->requests());
    }

    /** @return array<string, array{array}> */
    public static function notRetried(): array
    {
        return [
            'permission denied' => [FakeAigov::error(403, 'permission_denied', 'ERROR_REASON_MISSING_CAPABILITY')],
            'invalid argument' => [FakeAigov::error(400, 'invalid_argument', 'ERROR_REASON_INVALID_FIELD', ['field' => 'use_case'])],
            'internal' => [FakeAigov::error(500, 'internal')],
            'a server BLOCK' => [['status' => 200, 'body' => ['decision' => ['decisionId' => 'd', 'auditEventId' => 'a',
                'outcome' => 'OUTCOME_BLOCK', 'reason' => 'BLOCK_REASON_AI_EXECUTION_PAUSED',
                'allReasons' => ['BLOCK_REASON_AI_EXECUTION_PAUSED']]]]],
        ];
    }

    /** @dataProvider notRetried */
    public function testOnlyUnavailableIsRetried(array $answer): void
    {
        $client = $this->client([$answer, FakeAigov::allow()]);
        self::assertFalse($client->evaluate(Requests::approved('acme'))->allowed());
        self::assertCount(1, $this->fake->requests());
    }

    public function testRetriesNeverOutlastTheDeadline(): void
    {
        $slowUnavailable = FakeAigov::error(503, 'unavailable') + ['delay_ms' => 120];
        $client = $this->client([$slowUnavailable], deadlineMs: 400, maxAttempts: 100);

        $start = hrtime(true);
        $decision = $client->evaluate(Requests::approved('acme'));
        $elapsedMs = (hrtime(true) - $start) / 1e6;

        self::assertSame(FailureKind::UNAVAILABLE, $decision->failure->kind);
        self::assertLessThan(400 + self::MARGIN_MS, $elapsedMs);
        self::assertLessThanOrEqual(4, count($this->fake->requests()));
    }

    public function testASlowAnswerIsABlockAtTheDeadline(): void
    {
        $client = $this->client([FakeAigov::allow() + ['delay_ms' => 3000]], deadlineMs: 300);

        $start = hrtime(true);
        $decision = $client->evaluate(Requests::approved('acme'));
        $elapsedMs = (hrtime(true) - $start) / 1e6;

        self::assertFalse($decision->allowed());
        self::assertSame('DEADLINE_EXCEEDED', $decision->failure->code);
        self::assertSame(FailureKind::UNAVAILABLE, $decision->failure->kind);
        self::assertGreaterThanOrEqual(290, $elapsedMs);
        self::assertLessThan(300 + self::MARGIN_MS, $elapsedMs);
    }

    public function testAFrozenServerBlocksWithinTheDefaultDeadline(): void
    {
        $frozen = PhpServer::frozen();
        $client = new AiGovernanceClient($frozen->url(), 'aigov_test-token');
        $ran = false;

        $start = hrtime(true);
        try {
            $client->runIfAllowed(Requests::approved('acme'), function () use (&$ran) {
                $ran = true;
            });
            self::fail('the guard opened');
        } catch (AiExecutionBlockedException $blocked) {
            $elapsedMs = (hrtime(true) - $start) / 1e6;
            self::assertFalse($ran);
            self::assertSame('DEADLINE_EXCEEDED', $blocked->decision->failure->code);
            self::assertSame(BlockReason::GOVERNANCE_UNAVAILABLE, $blocked->decision->reason());
            self::assertLessThan(AiGovernanceClient::DEFAULT_DEADLINE_MS + self::MARGIN_MS, $elapsedMs);
        } finally {
            $frozen->stop();
        }
    }

    public function testAStoppedServerBlocksWithinTheDeadline(): void
    {
        $client = new AiGovernanceClient('http://127.0.0.1:' . PhpServer::closedPort(), 'aigov_test-token');

        $start = hrtime(true);
        $decision = $client->evaluate(Requests::approved('acme'));
        $elapsedMs = (hrtime(true) - $start) / 1e6;

        self::assertSame('UNAVAILABLE', $decision->failure->code);
        self::assertStringContainsString('curl error 7', $decision->failure->description);
        self::assertLessThan(AiGovernanceClient::DEFAULT_DEADLINE_MS + self::MARGIN_MS, $elapsedMs);
    }

    public function testFailuresTheCallerMustFixAreLoggedOncePerCauseAndOutagesNot(): void
    {
        $logger = new RecordingLogger();
        $denied = FakeAigov::error(403, 'permission_denied', 'ERROR_REASON_MISSING_CAPABILITY', ['capability' => 'ai.decisions.evaluate']);
        $client = $this->client([$denied, $denied, FakeAigov::error(503, 'unavailable')], maxAttempts: 1, logger: $logger);

        foreach (range(1, 4) as $ignored) {
            $client->evaluate(Requests::approved('acme'));
        }

        self::assertCount(1, $logger->records);
        [$level, $message, $context] = $logger->records[0];
        self::assertSame('warning', $level);
        self::assertStringContainsString('{fix}', $message);
        self::assertStringContainsString("the token lacks the capability 'ai.decisions.evaluate'", $context['fix']);
        self::assertSame('rejected_caller', $context['kind']);
    }

    /** @return array<string, array{callable, string}> */
    public static function badSettings(): array
    {
        return [
            'no scheme' => [fn () => new AiGovernanceClient('aigov.internal:8080', 't'), 'baseUrl'],
            'a gRPC target' => [fn () => new AiGovernanceClient('dns:///aigov.internal:50051', 't'), 'baseUrl'],
            'an empty token' => [fn () => new AiGovernanceClient('http://localhost:8080', ' '), 'token'],
            'a token over two lines' => [fn () => new AiGovernanceClient('http://localhost:8080', "a\nb"), 'token'],
            'no deadline' => [fn () => new AiGovernanceClient('http://localhost:8080', 't', 0), 'deadlineMs'],
            'no attempt' => [fn () => new AiGovernanceClient('http://localhost:8080', 't', 500, 0), 'maxAttempts'],
            'a CA file that is not there' => [fn () => new AiGovernanceClient('https://localhost:8080', 't', caFile: '/nope.pem'), 'caFile'],
            'no classification' => [fn () => Requests::approved('acme', ['dataClassifications' => []]), 'dataClassifications'],
            'a classification that is a string' => [fn () => Requests::approved('acme', ['dataClassifications' => ['secret']]),
                'dataClassifications[0]'],
            'a request id that is no UUID' => [fn () => Requests::approved('acme', ['requestId' => 'retry-1']), 'requestId'],
        ];
    }

    /** @dataProvider badSettings */
    public function testBadInputIsAClearErrorNamingTheField(callable $build, string $field): void
    {
        try {
            $build();
            self::fail('accepted');
        } catch (\InvalidArgumentException $e) {
            self::assertStringStartsWith($field . ':', $e->getMessage());
        }
    }
}
