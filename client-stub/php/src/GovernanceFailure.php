<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * Why no trustworthy answer came from aigov: whose problem it is (kind), the gRPC status code of
 * the call ('UNAVAILABLE', 'PERMISSION_DENIED', ...; never 'OK'), and, when the server sent one,
 * the google.rpc.ErrorInfo reason as sent ('ERROR_REASON_INVALID_FIELD'; '' for none) and its
 * metadata (for example ['field' => 'actor.id']).
 *
 * A code the server never sent is made up by the client: DEADLINE_EXCEEDED for a timeout,
 * UNAVAILABLE for an unreachable server, INTERNAL for an answer it cannot read or trust
 * (kind CLIENT_OUTDATED when a newer client could).
 */
final class GovernanceFailure
{
    /** @param array<string, string> $errorMetadata */
    private function __construct(
        public readonly FailureKind $kind,
        public readonly string $code,
        public readonly string $errorReason,
        public readonly array $errorMetadata,
        public readonly string $description,
    ) {
        if ($code === 'OK') {
            throw new \InvalidArgumentException('code: a failure cannot have the code OK');
        }
    }

    /**
     * A failure as aigov reports one: the kind follows from the code and the reason, as the client
     * maps them. For tests and test doubles; the client builds its own.
     *
     * @param array<string, string> $errorMetadata
     */
    public static function of(string $code, string $errorReason = '', array $errorMetadata = [], string $description = ''): self
    {
        return new self(FailureKind::of($code, $errorReason), $code, $errorReason, $errorMetadata, $description);
    }

    /** An answer this client version cannot check: a block that names the upgrade. */
    public static function clientOutdated(string $description): self
    {
        return new self(FailureKind::CLIENT_OUTDATED, 'INTERNAL', '', [],
            $description . '; this is aigov/client ' . AiGovernanceClient::VERSION . ': upgrade aigov/client');
    }

    /** An answer that cannot be trusted (a server bug, a proxy, a tampered answer), made up by the client. */
    public static function untrusted(string $description): self
    {
        return new self(FailureKind::UNAVAILABLE, 'INTERNAL', '', [], $description);
    }

    /** A typical failure of this kind, for tests. */
    public static function typical(FailureKind $kind): self
    {
        return match ($kind) {
            FailureKind::UNAVAILABLE => self::of('UNAVAILABLE', 'ERROR_REASON_STORAGE_UNAVAILABLE', [], 'injected by a test'),
            FailureKind::REJECTED_CALLER => self::of('PERMISSION_DENIED', 'ERROR_REASON_MISSING_CAPABILITY',
                ['capability' => 'ai.decisions.evaluate'], 'injected by a test'),
            FailureKind::REJECTED_REQUEST => self::of('INVALID_ARGUMENT', 'ERROR_REASON_INVALID_FIELD',
                ['field' => 'workspace_id'], 'injected by a test'),
            FailureKind::CLIENT_OUTDATED => self::clientOutdated('injected by a test'),
        };
    }

    public function __toString(): string
    {
        $text = strtoupper($this->kind->value) . ' ' . $this->code;
        if ($this->errorReason !== '') {
            $text .= ' ' . $this->errorReason;
        }
        if ($this->errorMetadata !== []) {
            $text .= ' ' . json_encode($this->errorMetadata, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        }
        if ($this->description !== '') {
            $text .= ': ' . $this->description;
        }
        return $text;
    }
}
