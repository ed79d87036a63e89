<?php

declare(strict_types=1);

namespace Aigov\Client\Tests\Support;

use PHPUnit\Framework\Assert;

/**
 * The real aigov the build started (PhpClientIT), as environment variables describe it: its HTTP
 * (Connect) URL and the tokens minted for the tests. Operator calls go over Connect with plain curl,
 * so that the client under test is not used to check itself.
 */
final class RealServer
{
    private function __construct(
        public readonly string $url,
        public readonly string $siblingToken,
        public readonly string $adminToken,
        public readonly string $opsToken,
    ) {
    }

    /** The server, or the test is skipped (failed, when AIGOV_TEST_REQUIRED=1: the build's run must not skip). */
    public static function fromEnvironment(): self
    {
        $names = ['AIGOV_TEST_URL', 'AIGOV_TEST_SIBLING_TOKEN', 'AIGOV_TEST_ADMIN_TOKEN', 'AIGOV_TEST_OPS_TOKEN'];
        $values = array_map(fn (string $name) => getenv($name), $names);
        $missing = array_keys(array_filter(array_combine($names, $values), fn ($v) => $v === false || $v === ''));
        if ($missing !== []) {
            $why = 'no real aigov: ' . implode(', ', $missing) . ' not set (PhpClientIT sets them)';
            if (getenv('AIGOV_TEST_REQUIRED') === '1') {
                Assert::fail($why);
            }
            Assert::markTestSkipped($why);
        }
        return new self(...$values);
    }

    /**
     * One Connect unary call with plain curl.
     *
     * @return array{int, array} the HTTP status and the decoded body
     */
    public function call(string $method, string $token, array $message): array
    {
        $curl = curl_init($this->url . '/' . $method);
        curl_setopt_array($curl, [CURLOPT_POST => true, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30,
            CURLOPT_POSTFIELDS => json_encode((object) $message, JSON_UNESCAPED_SLASHES),
            CURLOPT_HTTPHEADER => ['Content-Type: application/json', "Authorization: Bearer $token"]]);
        $body = curl_exec($curl);
        Assert::assertNotFalse($body, "$method: " . curl_error($curl));
        return [(int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE), (array) json_decode((string) $body, true)];
    }

    /** A call that must succeed; returns its answer. */
    public function ok(string $method, string $token, array $message): array
    {
        [$status, $body] = $this->call($method, $token, $message);
        Assert::assertSame(200, $status, "$method " . json_encode($message) . ': ' . json_encode($body));
        return $body;
    }

    public function setPolicy(string $workspace, string $mode): void
    {
        $this->ok('aigov.v1.WorkspacePolicyService/SetWorkspacePolicy', $this->adminToken,
            ['workspace_id' => $workspace, 'policy_mode' => 'POLICY_MODE_' . strtoupper($mode), 'reason' => 'php client tests']);
    }

    /** Pauses or resumes ai.execution for a workspace, or globally (null). */
    public function setControl(?string $workspace, bool $paused): void
    {
        $message = ['control_key' => 'ai.execution', 'state' => $paused ? 'CONTROL_STATE_PAUSED' : 'CONTROL_STATE_ENABLED',
            'reason' => 'php client tests'];
        if ($workspace !== null) {
            $message['workspace_id'] = $workspace;
        }
        $this->ok('aigov.v1.ExecutionControlService/SetExecutionControl', $this->opsToken, $message);
    }

    /** @return list<array> the AI decision events of a workspace, newest first */
    public function decisionEvents(string $workspace): array
    {
        $events = [];
        $page = '';
        do {
            $answer = $this->ok('aigov.v1.AuditService/ListAuditEvents', $this->opsToken, ['workspace_id' => $workspace,
                'kind' => 'AUDIT_EVENT_KIND_AI_DECISION', 'page_size' => 100, 'page_token' => $page]);
            $events = array_merge($events, $answer['events'] ?? []);
            $page = $answer['nextPageToken'] ?? '';
        } while ($page !== '');
        return $events;
    }
}
