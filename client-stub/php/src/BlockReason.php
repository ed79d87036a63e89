<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * Why a decision is a block. The first seven are the server's rules, in its precedence order (the
 * primary reason is the first failing rule). The four GOVERNANCE_* reasons are this client's own:
 * no trustworthy answer could be had, so it blocked, failing closed; each names a FailureKind.
 */
enum BlockReason: string
{
    case AI_EXECUTION_PAUSED = 'ai_execution_paused';
    case WORKSPACE_POLICY_DISABLED = 'workspace_policy_disabled';
    case USE_CASE_NOT_APPROVED = 'use_case_not_approved';
    case PROVIDER_CLASS_NOT_PERMITTED = 'provider_class_not_permitted';
    case TENANT_CONTEXT_NOT_PERMITTED = 'tenant_context_not_permitted';
    case SOURCE_FAMILY_NOT_PERMITTED = 'source_family_not_permitted';
    case DATA_CLASSIFICATION_NOT_PERMITTED = 'data_classification_not_permitted';
    /** Client side, FailureKind::UNAVAILABLE: an outage, a deadline, an unreachable server, an untrustworthy answer. */
    case GOVERNANCE_UNAVAILABLE = 'governance_unavailable';
    /** Client side, FailureKind::REJECTED_CALLER: the token was refused. Fix the configuration. */
    case GOVERNANCE_REJECTED_CALLER = 'governance_rejected_caller';
    /** Client side, FailureKind::REJECTED_REQUEST: the request was refused as sent. Fix the calling code. */
    case GOVERNANCE_REJECTED_REQUEST = 'governance_rejected_request';
    /** Client side, FailureKind::CLIENT_OUTDATED: an answer this client version cannot check. Upgrade it. */
    case GOVERNANCE_CLIENT_OUTDATED = 'governance_client_outdated';
    /** A reason a newer server gave that this client does not know. Still a block. */
    case UNRECOGNIZED = 'unrecognized';

    /** True for the client's own reasons: no rule of the server stands behind them. */
    public function isFailure(): bool
    {
        return match ($this) {
            self::GOVERNANCE_UNAVAILABLE, self::GOVERNANCE_REJECTED_CALLER, self::GOVERNANCE_REJECTED_REQUEST,
            self::GOVERNANCE_CLIENT_OUTDATED => true,
            default => false,
        };
    }

    /** One of the server's seven rules as the contract names it; UNRECOGNIZED for anything else. */
    public static function fromProtoName(mixed $name): self
    {
        if (!is_string($name) || !str_starts_with($name, 'BLOCK_REASON_')) {
            return self::UNRECOGNIZED;
        }
        $reason = self::tryFrom(strtolower(substr($name, strlen('BLOCK_REASON_'))));
        return $reason === null || $reason->isFailure() || $reason === self::UNRECOGNIZED ? self::UNRECOGNIZED : $reason;
    }
}
