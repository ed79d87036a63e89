<?php

declare(strict_types=1);

namespace Aigov\Client;

/**
 * aigov's answer to one AiRequest, or the client's own block when no trustworthy answer could be
 * had. Immutable.
 *
 * allowed() is true only for an ALLOW the server sent in full (with a decision id and an audit
 * event id, no reasons, under a policy mode and execution state that permit one). Everything else
 * is a block: a server BLOCK, any error, timeout or unreachable server, and any answer this client
 * cannot read. The client's own blocks have a failure and its kind's reason.
 */
final class AiDecision
{
    /**
     * @param list<BlockReason> $reasons primary first; empty only for an allow
     * @param list<DataClassification> $rejectedClassifications
     * @param list<ProviderClass> $permittedProviderClasses what would pass (see block())
     * @param list<DataClassification> $permittedDataClassifications
     */
    private function __construct(
        private readonly bool $allowed,
        public readonly array $reasons,
        public readonly array $rejectedClassifications,
        public readonly string $requestId,
        public readonly ?string $decisionId,
        public readonly ?string $auditEventId,
        public readonly string $message,
        public readonly ?DecisionBasis $basis,
        public readonly ?GovernanceFailure $failure,
        public readonly array $permittedProviderClasses = [],
        public readonly array $permittedDataClassifications = [],
    ) {
    }

    /** An ALLOW. Built by the client from a complete answer, or by a test double. */
    public static function allow(string $requestId, string $decisionId, string $auditEventId, string $message,
        DecisionBasis $basis): self
    {
        return new self(true, [], [], $requestId, $decisionId, $auditEventId, $message, $basis, null);
    }

    /**
     * A BLOCK by the server's rules.
     *
     * @param list<BlockReason> $reasons at least one, none of the client's own GOVERNANCE_* reasons
     * @param list<DataClassification> $rejectedClassifications
     * @param list<ProviderClass> $permittedProviderClasses on a block only by the provider class and the data
     *     classifications: the classes the use case permits under the policy it was decided on (perhaps none), so
     *     that the caller can fall back with a request of its own; empty on any other block
     * @param list<DataClassification> $permittedDataClassifications on the same blocks: the classifications the
     *     use case permits; empty otherwise
     */
    public static function block(string $requestId, array $reasons, array $rejectedClassifications, ?string $decisionId,
        ?string $auditEventId, string $message, ?DecisionBasis $basis, array $permittedProviderClasses = [],
        array $permittedDataClassifications = []): self
    {
        if ($reasons === []) {
            throw new \InvalidArgumentException('reasons: a block needs a reason');
        }
        foreach ($reasons as $reason) {
            if ($reason->isFailure()) {
                throw new \InvalidArgumentException('reasons: a failure is not a rule; use AiDecision::failed');
            }
        }
        return new self(false, array_values($reasons), array_values($rejectedClassifications), $requestId, $decisionId,
            $auditEventId, $message, $basis, null, array_values($permittedProviderClasses),
            array_values($permittedDataClassifications));
    }

    /** The client's own block for this failure. Keeps the server's ids, if an untrusted answer had them. */
    public static function failed(string $requestId, GovernanceFailure $failure, ?string $decisionId = null,
        ?string $auditEventId = null): self
    {
        $message = match ($failure->kind) {
            FailureKind::UNAVAILABLE => "No trustworthy answer from aigov ($failure); treated as a block.",
            FailureKind::REJECTED_CALLER => "aigov refused this service's token ($failure); treated as a block.",
            FailureKind::REJECTED_REQUEST => "aigov refused the request as sent ($failure); treated as a block.",
            FailureKind::CLIENT_OUTDATED => "This aigov/client cannot check aigov's answer ($failure); treated as a block.",
        };
        return new self(false, [$failure->kind->blockReason()], [], $requestId, $decisionId, $auditEventId, $message,
            null, $failure);
    }

    /** True only for a complete ALLOW from the server: the AI work may proceed exactly as requested. */
    public function allowed(): bool
    {
        return $this->allowed;
    }

    /** The primary reason of a block (the first failing rule, or the client's own); null on an allow. */
    public function reason(): ?BlockReason
    {
        return $this->reasons[0] ?? null;
    }

    public function __toString(): string
    {
        $text = $this->allowed ? 'ALLOW' : 'BLOCK [' . implode(', ', array_map(fn (BlockReason $r) => $r->name, $this->reasons)) . ']';
        if ($this->rejectedClassifications !== []) {
            $text .= ' rejected=[' . implode(', ', array_map(fn (DataClassification $c) => $c->value, $this->rejectedClassifications)) . ']';
        }
        $text .= ' requestId=' . $this->requestId;
        if ($this->decisionId !== null) {
            $text .= ' decisionId=' . $this->decisionId;
        }
        if ($this->failure !== null) {
            $text .= ' failure=' . $this->failure;
        }
        return $text;
    }
}
