<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * Asks the aigov server, before any AI work, whether the work may proceed, over the Connect
 * protocol (HTTP/JSON, aigov's HTTP port, 8080 by default), and fails closed: every error, timeout,
 * unreachable server, bad token or unreadable answer is a block, never an exception and never an
 * allow. Each such block names its FailureKind: an outage, a refused caller (token), a refused
 * request (calling code), or an answer only a newer client could check.
 *
 * The one pattern: put the AI work inside the guard, so that it cannot start without an ALLOW.
 *
 *     $draft = $governance->runIfAllowed($request, fn () => $model->complete($prompt));
 *
 * Each decision has a deadline (500 ms by default), retries included; UNAVAILABLE is retried with
 * backoff under the same request_id (generated once per evaluate, a UUID v4), so the server records
 * one decision, not two. Every call announces this library in the aigov-client-version header
 * (php-<version>), which each decision's audit event records. One curl handle is kept and reused
 * (keep-alive): build one client per process (or per worker) and share it.
 */
final class AiGovernanceClient implements AiGovernance
{
    use Guards;

    /** This library's version. */
    public const VERSION = '0.1.0';

    /**
     * What the aigov-client-version header carries. The server records 1 to 64 of [A-Za-z0-9._+-]
     * and anything else as "invalid", so the language is joined with '-', not '/'.
     */
    public const VERSION_HEADER_VALUE = 'php-' . self::VERSION;

    /** The default deadline of one decision, in milliseconds, retries included (the Java client's). */
    public const DEFAULT_DEADLINE_MS = 500;

    /** The default most attempts of one decision (the first and its retries). */
    public const DEFAULT_MAX_ATTEMPTS = 3;

    private const PATH = '/aigov.v1.DecisionService/EvaluateAiRequest';
    private const INITIAL_BACKOFF_MS = 20;
    private const MAX_BACKOFF_MS = 200;
    /** Enough for every field and capability there is; a flood of distinct causes stops here. */
    private const MAX_WARNED_CAUSES = 256;

    private readonly string $url;
    /** @var \CurlHandle|null one handle, reused: its connection stays open between calls */
    private ?\CurlHandle $curl = null;
    /** @var array<string, true> the causes already logged */
    private array $warned = [];

    /**
     * @param string $baseUrl the Connect port, for example 'https://aigov.internal:8080' (no path)
     * @param string $token the bearer token (minted with `aigov-server token create --capability ai.decisions.evaluate`)
     * @param int $deadlineMs the deadline of one decision, retries included; past it the decision is a block
     * @param int $maxAttempts the most attempts on UNAVAILABLE (the first included); 1 turns retries off
     * @param ?\Psr\Log\LoggerInterface $logger a PSR-3 logger: failures the caller must fix are logged once per cause at warning
     * @param ?string $caFile a PEM file of CA certificates to trust for https, instead of the system's
     * @throws \InvalidArgumentException naming the parameter that is not usable
     */
    public function __construct(
        string $baseUrl,
        private readonly string $token,
        private readonly int $deadlineMs = self::DEFAULT_DEADLINE_MS,
        private readonly int $maxAttempts = self::DEFAULT_MAX_ATTEMPTS,
        private readonly ?\Psr\Log\LoggerInterface $logger = null,
        private readonly ?string $caFile = null,
    ) {
        $parts = parse_url($baseUrl);
        if ($parts === false || !in_array($parts['scheme'] ?? '', ['http', 'https'], true) || ($parts['host'] ?? '') === ''
            || isset($parts['query']) || isset($parts['fragment'])) {
            throw new \InvalidArgumentException("baseUrl: must be an http:// or https:// URL of aigov's HTTP port, "
                . "such as https://aigov.internal:8080 (got '$baseUrl')");
        }
        if (trim($token) === '' || preg_match('/[\r\n]/', $token) === 1) {
            throw new \InvalidArgumentException('token: a bearer token is required (aigov-server token create), on one line');
        }
        if ($deadlineMs < 1) {
            throw new \InvalidArgumentException("deadlineMs: must be at least 1 (got $deadlineMs)");
        }
        if ($maxAttempts < 1) {
            throw new \InvalidArgumentException("maxAttempts: must be at least 1 (got $maxAttempts)");
        }
        if ($caFile !== null && !is_readable($caFile)) {
            throw new \InvalidArgumentException("caFile: cannot read '$caFile'");
        }
        $this->url = rtrim($baseUrl, '/') . self::PATH;
    }

    public function __destruct()
    {
        $this->curl = null;
    }

    public function evaluate(AiRequest $request): AiDecision
    {
        $start = hrtime(true);
        $requestId = $request->requestId ?? Uuid::v4();
        try {
            $decision = $this->decide(Wire::encodeRequest($request, $requestId), $requestId, $start);
        } catch (\Throwable $unexpected) {
            // A bug here must not open the guard either.
            $decision = AiDecision::failed($requestId, GovernanceFailure::untrusted('the client failed: '
                . get_class($unexpected) . ': ' . $unexpected->getMessage()));
        }
        if ($decision->failure !== null) {
            $this->warnOnce($decision->failure);
        }
        return $decision;
    }

    /** Attempts until an answer that is not UNAVAILABLE, the last attempt, or the deadline. */
    private function decide(string $body, string $requestId, int $start): AiDecision
    {
        $deadline = $start + $this->deadlineMs * 1_000_000;
        $backoffMs = self::INITIAL_BACKOFF_MS;
        for ($attempt = 1; ; $attempt++) {
            $remainingMs = intdiv($deadline - hrtime(true), 1_000_000);
            if ($remainingMs < 1) {
                return AiDecision::failed($requestId, GovernanceFailure::of('DEADLINE_EXCEEDED', '', [],
                    "no answer within the deadline of {$this->deadlineMs} ms ($attempt attempts)"));
            }
            $decision = $this->attempt($body, $requestId, $remainingMs);
            if ($decision->failure?->code !== 'UNAVAILABLE' || $attempt >= $this->maxAttempts) {
                return $decision;
            }
            // Full jitter around the backoff, so that many callers do not retry in step.
            $pauseUs = random_int($backoffMs * 500, $backoffMs * 1000);
            if (hrtime(true) + $pauseUs * 1000 >= $deadline) {
                return $decision;
            }
            usleep($pauseUs);
            $backoffMs = min($backoffMs * 2, self::MAX_BACKOFF_MS);
        }
    }

    private function attempt(string $body, string $requestId, int $timeoutMs): AiDecision
    {
        $curl = $this->handle();
        curl_setopt_array($curl, [
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_TIMEOUT_MS => $timeoutMs,
            CURLOPT_CONNECTTIMEOUT_MS => $timeoutMs,
            CURLOPT_HTTPHEADER => [
                'Content-Type: application/json',
                'Accept: application/json',
                'Connect-Protocol-Version: 1',
                'Connect-Timeout-Ms: ' . $timeoutMs,
                'Authorization: Bearer ' . $this->token,
                'aigov-client-version: ' . self::VERSION_HEADER_VALUE,
                'Expect:',
            ],
        ]);
        $answer = curl_exec($curl);
        if ($answer === false) {
            $errno = curl_errno($curl);
            $error = curl_error($curl);
            // The connection may be in any state now: the next attempt opens a new one.
            $this->curl = null;
            $code = $errno === CURLE_OPERATION_TIMEDOUT ? 'DEADLINE_EXCEEDED' : 'UNAVAILABLE';
            return AiDecision::failed($requestId, GovernanceFailure::of($code, '', [],
                "cannot reach aigov at {$this->url}: curl error $errno: $error"));
        }
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        if ($status === 200) {
            return Wire::decodeDecision((string) $answer, $requestId);
        }
        return AiDecision::failed($requestId, Wire::decodeError($status, (string) $answer));
    }

    private function handle(): \CurlHandle
    {
        if ($this->curl === null) {
            $curl = curl_init($this->url);
            if ($curl === false) {
                throw new \RuntimeException('curl_init failed');
            }
            $options = [
                CURLOPT_POST => true,
                CURLOPT_RETURNTRANSFER => true,
                CURLOPT_NOSIGNAL => true, // a timeout under one second needs it
                CURLOPT_FOLLOWLOCATION => false,
                CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
                CURLOPT_TCP_NODELAY => true,
                CURLOPT_SSL_VERIFYPEER => true,
                CURLOPT_SSL_VERIFYHOST => 2,
            ];
            if ($this->caFile !== null) {
                $options[CURLOPT_CAINFO] = $this->caFile;
            }
            curl_setopt_array($curl, $options);
            $this->curl = $curl;
        }
        return $this->curl;
    }

    /** A failure the calling service must fix (its token, its code, its client version) is logged once per cause. */
    private function warnOnce(GovernanceFailure $failure): void
    {
        if ($this->logger === null || $failure->kind === FailureKind::UNAVAILABLE) {
            return;
        }
        $cause = implode('|', [$failure->kind->value, $failure->code, $failure->errorReason,
            $failure->errorMetadata['field'] ?? '', $failure->errorMetadata['capability'] ?? '']);
        if (isset($this->warned[$cause]) || count($this->warned) >= self::MAX_WARNED_CAUSES) {
            return;
        }
        $this->warned[$cause] = true;
        $this->logger->warning('aigov blocks every decision that hits this until it is fixed ({failure}): {fix}. Logged once per cause.',
            ['failure' => (string) $failure, 'fix' => self::whatToFix($failure), 'kind' => $failure->kind->value,
                'code' => $failure->code, 'error_reason' => $failure->errorReason]);
    }

    private static function whatToFix(GovernanceFailure $failure): string
    {
        $field = $failure->errorMetadata['field'] ?? '?';
        return match ($failure->errorReason) {
            'ERROR_REASON_MISSING_CREDENTIAL' => 'the client sent no bearer token: configure one',
            'ERROR_REASON_INVALID_CREDENTIAL' => 'the bearer token is unknown, malformed or revoked: mint a new one '
                . '(aigov-server token create) and configure it',
            'ERROR_REASON_MISSING_CAPABILITY' => "the token lacks the capability '"
                . ($failure->errorMetadata['capability'] ?? '?') . "': use a token that has it",
            'ERROR_REASON_WORKSPACE_NOT_PERMITTED' => "the token's capability is limited to other workspaces than the one in field '"
                . $field . "': use a token for that workspace, or check the workspace id the code sends",
            'ERROR_REASON_TOO_MANY_FAILED_AUTHENTICATIONS' => 'this host failed to authenticate too often: fix the bearer token',
            'ERROR_REASON_INVALID_FIELD' => "field '$field' of the request is invalid ({$failure->description}): fix the calling code",
            'ERROR_REASON_REQUEST_ID_REUSED' => 'a request id was reused for a different request: give each request its own id',
            default => match ($failure->kind) {
                FailureKind::REJECTED_CALLER => 'the caller was refused: check the bearer token and its capabilities',
                FailureKind::REJECTED_REQUEST => 'the request was refused as sent: fix the calling code',
                FailureKind::CLIENT_OUTDATED => 'upgrade aigov/client (this is ' . self::VERSION . ')',
                FailureKind::UNAVAILABLE => 'nothing',
            },
        };
    }
}
