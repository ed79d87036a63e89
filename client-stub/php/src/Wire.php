<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * The one place that maps between this library's types and the aigov.v1 contract in the Connect
 * protocol's JSON, and that decides what counts as an allow. Values this client does not know read
 * as UNRECOGNIZED, never as an allow. Internal.
 *
 * @internal
 */
final class Wire
{
    private function __construct()
    {
    }

    /** The EvaluateAiRequestRequest, as proto3 JSON. */
    public static function encodeRequest(AiRequest $request, string $requestId): string
    {
        $message = [
            'workspace_id' => $request->workspaceId,
            'use_case' => $request->useCase,
            'provider_class' => $request->providerClass->protoName(),
            'data_classifications' => array_map(fn (DataClassification $c) => $c->protoName(), $request->dataClassifications),
            'source_family' => $request->sourceFamily,
            'actor' => ['id' => $request->actor->id, 'kind' => $request->actor->kind->protoName()],
            'request_id' => $requestId,
        ];
        if ($request->tenantId !== null && $request->tenantId !== '') {
            $message['tenant_id'] = $request->tenantId;
        }
        if ($request->callerSurface !== null && $request->callerSurface !== '') {
            $message['caller_surface'] = $request->callerSurface;
        }
        return json_encode($message, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    }

    /**
     * Reads a 200 answer. An ALLOW is believed only when it is complete and consistent; any other
     * answer is a block, and one this client cannot read is the client's own block.
     */
    public static function decodeDecision(string $body, string $requestId): AiDecision
    {
        $response = json_decode($body, true, 32);
        if (!is_array($response)) {
            return AiDecision::failed($requestId, GovernanceFailure::untrusted('aigov answered with a body that is not a JSON object'));
        }
        $decision = self::field($response, 'decision');
        if (!is_array($decision)) {
            return AiDecision::failed($requestId, GovernanceFailure::untrusted('aigov answered without a decision'));
        }
        $decisionId = self::text($decision, 'decision_id');
        $auditEventId = self::text($decision, 'audit_event_id');
        $message = self::text($decision, 'message') ?? '';
        $outcome = self::field($decision, 'outcome');
        // Strict comparisons only: a loose one would read "outcome": true as OUTCOME_ALLOW.
        if ($outcome === 'OUTCOME_ALLOW') {
            if ($decisionId === null || $auditEventId === null) {
                return AiDecision::failed($requestId, GovernanceFailure::untrusted(
                    'aigov answered ALLOW without a decision id or an audit event id'), $decisionId, $auditEventId);
            }
            $reason = self::field($decision, 'reason');
            if (($reason !== null && $reason !== 'BLOCK_REASON_UNSPECIFIED' && $reason !== 0)
                || self::field($decision, 'all_reasons') || self::field($decision, 'rejected_classifications')) {
                return AiDecision::failed($requestId, GovernanceFailure::untrusted('aigov answered ALLOW with block reasons'),
                    $decisionId, $auditEventId);
            }
            $basis = self::basis($decision);
            if ($basis->effectivePolicyMode === PolicyMode::UNRECOGNIZED || $basis->executionState === ControlState::UNRECOGNIZED) {
                $what = $basis->effectivePolicyMode === PolicyMode::UNRECOGNIZED
                    ? 'policy mode ' . json_encode(self::field($decision, 'effective_policy_mode'))
                    : 'execution state ' . json_encode(self::field($decision, 'execution_state'));
                return AiDecision::failed($requestId, GovernanceFailure::clientOutdated(
                    "aigov answered ALLOW under $what, which this client does not know, so it cannot check the ALLOW"),
                    $decisionId, $auditEventId);
            }
            if ($basis->executionState !== ControlState::ENABLED || $basis->effectivePolicyMode !== PolicyMode::PRIVATE_ONLY) {
                return AiDecision::failed($requestId, GovernanceFailure::untrusted('aigov answered ALLOW under execution state '
                    . $basis->executionState->name . ' and policy mode ' . $basis->effectivePolicyMode->name), $decisionId, $auditEventId);
            }
            return AiDecision::allow($requestId, $decisionId, $auditEventId, $message, $basis);
        }
        if ($outcome === 'OUTCOME_BLOCK') {
            $rejected = [];
            foreach (self::listOf($decision, 'rejected_classifications') as $name) {
                $rejected[] = DataClassification::fromProtoName($name);
            }
            // What would pass; a class or classification this client does not know cannot be asked for, so is left out.
            $permittedClasses = [];
            foreach (self::listOf($decision, 'permitted_provider_classes') as $name) {
                foreach (ProviderClass::cases() as $class) {
                    if ($name === $class->protoName()) {
                        $permittedClasses[] = $class;
                    }
                }
            }
            $permittedClassifications = [];
            foreach (self::listOf($decision, 'permitted_data_classifications') as $name) {
                $permittedClassifications[] = DataClassification::fromProtoName($name);
            }
            return AiDecision::block($requestId, self::blockReasons($decision), array_values(array_filter($rejected)),
                $decisionId, $auditEventId, $message, self::basis($decision), $permittedClasses,
                array_values(array_filter($permittedClassifications)));
        }
        if ($outcome === null || $outcome === 'OUTCOME_UNSPECIFIED' || $outcome === 0) {
            return AiDecision::failed($requestId, GovernanceFailure::untrusted('aigov answered without an outcome'),
                $decisionId, $auditEventId);
        }
        if (is_string($outcome) || is_int($outcome)) {
            // A name or a number a newer server's contract has: only a newer client can read it.
            return AiDecision::failed($requestId, GovernanceFailure::clientOutdated('aigov answered outcome '
                . json_encode($outcome) . ', which this client does not know'), $decisionId, $auditEventId);
        }
        return AiDecision::failed($requestId, GovernanceFailure::untrusted('aigov answered an outcome that is not an enum value: '
            . json_encode($outcome)), $decisionId, $auditEventId);
    }

    /**
     * The failure of a Connect call that answered an HTTP status other than 200: the code from the
     * error body (or, when the body is not a Connect error, from the HTTP status, as the protocol
     * says), with the google.rpc.ErrorInfo the server attached, if any.
     */
    public static function decodeError(int $httpStatus, string $body): GovernanceFailure
    {
        $error = json_decode($body, true, 32);
        $code = is_array($error) && is_string($error['code'] ?? null) ? self::grpcCode($error['code']) : null;
        if ($code === null) {
            return GovernanceFailure::of(self::codeOfHttpStatus($httpStatus), '', [],
                "HTTP $httpStatus without a Connect error body");
        }
        $message = is_string($error['message'] ?? null) ? $error['message'] : '';
        foreach (is_array($error['details'] ?? null) ? $error['details'] : [] as $detail) {
            if (!is_array($detail) || ($detail['type'] ?? null) !== 'google.rpc.ErrorInfo') {
                continue;
            }
            $info = is_string($detail['value'] ?? null) ? self::decodeErrorInfo($detail['value']) : null;
            if ($info === null && is_array($detail['debug'] ?? null)) {
                $info = self::errorInfoFromDebug($detail['debug']);
            }
            if ($info !== null) {
                return GovernanceFailure::of($code, $info['reason'], $info['metadata'], $message);
            }
        }
        return GovernanceFailure::of($code, '', [], $message);
    }

    /** The gRPC code name of a Connect code ('permission_denied', 'canceled'); null for one the protocol lacks. */
    public static function grpcCode(string $connectCode): ?string
    {
        static $codes = ['canceled' => 'CANCELLED', 'unknown' => 'UNKNOWN', 'invalid_argument' => 'INVALID_ARGUMENT',
            'deadline_exceeded' => 'DEADLINE_EXCEEDED', 'not_found' => 'NOT_FOUND', 'already_exists' => 'ALREADY_EXISTS',
            'permission_denied' => 'PERMISSION_DENIED', 'resource_exhausted' => 'RESOURCE_EXHAUSTED',
            'failed_precondition' => 'FAILED_PRECONDITION', 'aborted' => 'ABORTED', 'out_of_range' => 'OUT_OF_RANGE',
            'unimplemented' => 'UNIMPLEMENTED', 'internal' => 'INTERNAL', 'unavailable' => 'UNAVAILABLE',
            'data_loss' => 'DATA_LOSS', 'unauthenticated' => 'UNAUTHENTICATED'];
        return $codes[$connectCode] ?? null;
    }

    /** The Connect protocol's code for an HTTP status that came without a Connect error body. */
    public static function codeOfHttpStatus(int $status): string
    {
        return match ($status) {
            400 => 'INTERNAL',
            401 => 'UNAUTHENTICATED',
            403 => 'PERMISSION_DENIED',
            404 => 'UNIMPLEMENTED',
            429, 502, 503, 504 => 'UNAVAILABLE',
            default => 'UNKNOWN',
        };
    }

    /**
     * Decodes a google.rpc.ErrorInfo (reason = 1, domain = 2, map<string, string> metadata = 3) from
     * the base64 of its protobuf encoding; null when it is not one.
     *
     * @return ?array{reason: string, domain: string, metadata: array<string, string>}
     */
    public static function decodeErrorInfo(string $base64): ?array
    {
        $bytes = base64_decode(strtr($base64, '-_', '+/') . str_repeat('=', (4 - strlen($base64) % 4) % 4), true);
        if ($bytes === false) {
            return null;
        }
        $fields = self::protoFields($bytes);
        if ($fields === null) {
            return null;
        }
        $info = ['reason' => '', 'domain' => '', 'metadata' => []];
        foreach ($fields as [$number, $value]) {
            if ($number === 1) {
                $info['reason'] = $value;
            } elseif ($number === 2) {
                $info['domain'] = $value;
            } elseif ($number === 3) {
                $entry = self::protoFields($value);
                if ($entry === null) {
                    return null;
                }
                $key = '';
                $entryValue = '';
                foreach ($entry as [$entryNumber, $text]) {
                    if ($entryNumber === 1) {
                        $key = $text;
                    } elseif ($entryNumber === 2) {
                        $entryValue = $text;
                    }
                }
                $info['metadata'][$key] = $entryValue;
            }
        }
        return $info;
    }

    /**
     * The length-delimited fields of a protobuf message, as [number, bytes] pairs; other wire types
     * are skipped. Null when the bytes are not a well-formed message.
     *
     * @return ?list<array{int, string}>
     */
    private static function protoFields(string $bytes): ?array
    {
        $fields = [];
        $at = 0;
        $length = strlen($bytes);
        while ($at < $length) {
            $tag = self::varint($bytes, $at);
            if ($tag === null) {
                return null;
            }
            $wireType = $tag & 7;
            if ($wireType === 0) {
                if (self::varint($bytes, $at) === null) {
                    return null;
                }
            } elseif ($wireType === 2) {
                $size = self::varint($bytes, $at);
                if ($size === null || $at + $size > $length) {
                    return null;
                }
                $fields[] = [$tag >> 3, substr($bytes, $at, $size)];
                $at += $size;
            } elseif ($wireType === 1 || $wireType === 5) {
                $at += $wireType === 1 ? 8 : 4;
                if ($at > $length) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return $fields;
    }

    private static function varint(string $bytes, int &$at): ?int
    {
        $value = 0;
        for ($shift = 0; $shift < 63; $shift += 7) {
            if ($at >= strlen($bytes)) {
                return null;
            }
            $byte = ord($bytes[$at++]);
            $value |= ($byte & 0x7f) << $shift;
            if ($byte < 0x80) {
                return $value;
            }
        }
        return null;
    }

    /** @return ?array{reason: string, domain: string, metadata: array<string, string>} */
    private static function errorInfoFromDebug(array $debug): ?array
    {
        if (!is_string($debug['reason'] ?? null)) {
            return null;
        }
        $metadata = [];
        foreach (is_array($debug['metadata'] ?? null) ? $debug['metadata'] : [] as $key => $value) {
            $metadata[(string) $key] = is_scalar($value) ? (string) $value : '';
        }
        return ['reason' => $debug['reason'], 'domain' => is_string($debug['domain'] ?? null) ? $debug['domain'] : '',
            'metadata' => $metadata];
    }

    /** @return list<BlockReason> the primary reason first, then the others, without repeats; never empty */
    private static function blockReasons(array $decision): array
    {
        $reasons = [];
        $primary = self::field($decision, 'reason');
        if ($primary !== null && $primary !== 'BLOCK_REASON_UNSPECIFIED' && $primary !== 0) {
            $reasons[] = BlockReason::fromProtoName($primary);
        }
        foreach (self::listOf($decision, 'all_reasons') as $name) {
            $reason = BlockReason::fromProtoName($name);
            if (!in_array($reason, $reasons, true)) {
                $reasons[] = $reason;
            }
        }
        return $reasons === [] ? [BlockReason::UNRECOGNIZED] : $reasons;
    }

    private static function basis(array $decision): DecisionBasis
    {
        $evaluatedAt = self::text($decision, 'evaluated_at');
        $time = null;
        if ($evaluatedAt !== null) {
            try {
                $time = new \DateTimeImmutable($evaluatedAt);
            } catch (\Exception) {
                $time = null;
            }
        }
        // proto3 JSON leaves out a field at its default: an absent mode is POLICY_MODE_UNSPECIFIED, never assumed.
        return new DecisionBasis(
            PolicyMode::fromProtoName(self::field($decision, 'effective_policy_mode')),
            self::int64($decision, 'policy_version'),
            ControlState::fromProtoName(self::field($decision, 'execution_state')),
            self::int64($decision, 'control_version'),
            $time,
        );
    }

    /** A field by its JSON name (lowerCamel, as the server prints) or its proto name (as a parser also accepts). */
    private static function field(array $message, string $protoName): mixed
    {
        $jsonName = lcfirst(str_replace('_', '', ucwords($protoName, '_')));
        return $message[$jsonName] ?? $message[$protoName] ?? null;
    }

    private static function text(array $message, string $protoName): ?string
    {
        $value = self::field($message, $protoName);
        return is_string($value) && $value !== '' ? $value : null;
    }

    /** @return list<mixed> */
    private static function listOf(array $message, string $protoName): array
    {
        $value = self::field($message, $protoName);
        return is_array($value) ? array_values($value) : [];
    }

    /** proto3 JSON writes an int64 as a string. */
    private static function int64(array $message, string $protoName): int
    {
        $value = self::field($message, $protoName);
        return is_int($value) || (is_string($value) && preg_match('/^-?\d{1,18}$/', $value) === 1) ? (int) $value : 0;
    }
}
