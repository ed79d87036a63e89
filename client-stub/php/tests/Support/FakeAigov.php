<?php

declare(strict_types=1);

namespace Aigov\Client\Tests\Support;

/** A scripted aigov on a free loopback port (tests/fixtures/fake-aigov.php under `php -S`), and what it was sent. */
final class FakeAigov
{
    private readonly PhpServer $server;

    /** @param list<array<string, mixed>> $script the answers, in order; the last one repeats */
    private function __construct(private readonly string $dir, array $script, ?string $upstream)
    {
        file_put_contents("$dir/script.json", json_encode($script, JSON_UNESCAPED_SLASHES));
        $this->server = PhpServer::router(dirname(__DIR__) . '/fixtures/fake-aigov.php',
            ['FAKE_DIR' => $dir, 'FAKE_UPSTREAM' => $upstream ?? '']);
    }

    /** @param list<array<string, mixed>> $script */
    public static function answering(array $script, ?string $upstream = null): self
    {
        $dir = sys_get_temp_dir() . '/aigov-fake-' . bin2hex(random_bytes(6));
        mkdir($dir);
        return new self($dir, $script, $upstream);
    }

    public function url(): string
    {
        return $this->server->url();
    }

    /** @return list<array{method: string, path: string, headers: array<string, string>, body: string, upstream?: array}> */
    public function requests(): array
    {
        $log = "{$this->dir}/requests.jsonl";
        if (!is_file($log)) {
            return [];
        }
        return array_map(fn (string $line) => json_decode($line, true), file($log, FILE_IGNORE_NEW_LINES));
    }

    public function stop(): void
    {
        $this->server->stop();
        array_map('unlink', glob("{$this->dir}/*") ?: []);
        @rmdir($this->dir);
    }

    public function __destruct()
    {
        $this->stop();
    }

    /** A Connect error body, as aigov writes one, with an ErrorInfo encoded as protobuf (value) and as JSON (debug). */
    public static function error(int $status, string $code, string $reason = '', array $metadata = [], string $message = 'test'): array
    {
        $body = ['code' => $code, 'message' => $message];
        if ($reason !== '') {
            $body['details'] = [['type' => 'google.rpc.ErrorInfo', 'value' => rtrim(base64_encode(self::errorInfo($reason, $metadata)), '='),
                'debug' => ['reason' => $reason, 'domain' => 'aigov', 'metadata' => (object) $metadata]]];
        }
        return ['status' => $status, 'body' => $body];
    }

    /** google.rpc.ErrorInfo, protobuf-encoded: reason = 1, domain = 2, metadata = 3 (map entries: key 1, value 2). */
    public static function errorInfo(string $reason, array $metadata): string
    {
        $field = fn (int $number, string $bytes) => chr($number << 3 | 2) . self::varint(strlen($bytes)) . $bytes;
        $message = $field(1, $reason) . $field(2, 'aigov');
        foreach ($metadata as $key => $value) {
            $message .= $field(3, $field(1, (string) $key) . $field(2, (string) $value));
        }
        return $message;
    }

    private static function varint(int $value): string
    {
        $bytes = '';
        while ($value >= 0x80) {
            $bytes .= chr($value & 0x7f | 0x80);
            $value >>= 7;
        }
        return $bytes . chr($value);
    }

    /** A complete ALLOW as aigov prints it (proto3 JSON, lowerCamel names, int64 as strings). */
    public static function allow(array $overrides = []): array
    {
        return ['status' => 200, 'body' => ['decision' => array_merge([
            'decisionId' => '6f1c1b0e-3d7e-4b8e-9a51-0c7d2f0e9a11',
            'outcome' => 'OUTCOME_ALLOW',
            'effectivePolicyMode' => 'POLICY_MODE_PRIVATE_ONLY',
            'policyVersion' => '1',
            'executionState' => 'CONTROL_STATE_ENABLED',
            'controlVersion' => '4',
            'message' => 'Allowed: (a fake).',
            'evaluatedAt' => '2026-12-04T18:00:00.123Z',
            'auditEventId' => '0b9f5a5e-8f0e-4d43-9e29-7a3f2c1d0e55',
        ], $overrides)]];
    }
}
