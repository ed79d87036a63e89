<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * Whose problem a failure is, so that a dashboard can count outages apart from mistakes of the
 * calling service. Every kind is a block: no failure ever yields an ALLOW.
 */
enum FailureKind: string
{
    /**
     * aigov could not be asked or could not answer: an outage, the deadline, an overloaded or stale
     * server, an unreachable address, TLS, an answer this client cannot trust. Every code not below.
     */
    case UNAVAILABLE = 'unavailable';
    /**
     * aigov refused the caller: UNAUTHENTICATED, PERMISSION_DENIED, or RESOURCE_EXHAUSTED with
     * ERROR_REASON_TOO_MANY_FAILED_AUTHENTICATIONS. Lasts until the token is fixed.
     */
    case REJECTED_CALLER = 'rejected_caller';
    /**
     * aigov refused the request as sent: INVALID_ARGUMENT, ALREADY_EXISTS, NOT_FOUND, ABORTED,
     * FAILED_PRECONDITION, OUT_OF_RANGE. Sending it again unchanged fails again: fix the calling code.
     */
    case REJECTED_REQUEST = 'rejected_request';
    /** aigov answered in terms this client version does not know: upgrade aigov/client. */
    case CLIENT_OUTDATED = 'client_outdated';

    /** The reason a decision that failed this way is blocked with. */
    public function blockReason(): BlockReason
    {
        return match ($this) {
            self::UNAVAILABLE => BlockReason::GOVERNANCE_UNAVAILABLE,
            self::REJECTED_CALLER => BlockReason::GOVERNANCE_REJECTED_CALLER,
            self::REJECTED_REQUEST => BlockReason::GOVERNANCE_REJECTED_REQUEST,
            self::CLIENT_OUTDATED => BlockReason::GOVERNANCE_CLIENT_OUTDATED,
        };
    }

    /**
     * The kind of a status from aigov (a gRPC code name such as 'PERMISSION_DENIED'), given the
     * ErrorInfo reason that came with it: exactly as the Java client maps them.
     */
    public static function of(string $code, string $errorReason): self
    {
        return match ($code) {
            'UNAUTHENTICATED', 'PERMISSION_DENIED' => self::REJECTED_CALLER,
            'RESOURCE_EXHAUSTED' => $errorReason === 'ERROR_REASON_TOO_MANY_FAILED_AUTHENTICATIONS'
                ? self::REJECTED_CALLER : self::UNAVAILABLE,
            'INVALID_ARGUMENT', 'ALREADY_EXISTS', 'NOT_FOUND', 'ABORTED', 'FAILED_PRECONDITION', 'OUT_OF_RANGE'
                => self::REJECTED_REQUEST,
            default => self::UNAVAILABLE,
        };
    }
}
