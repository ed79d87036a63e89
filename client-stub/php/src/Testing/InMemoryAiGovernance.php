<?php

declare(strict_types=1);

namespace Aigov\Client\Testing;

use Aigov\Client\AiDecision;
use Aigov\Client\AiGovernance;
use Aigov\Client\AiRequest;
use Aigov\Client\ControlState;
use Aigov\Client\DecisionBasis;
use Aigov\Client\FailureKind;
use Aigov\Client\GovernanceFailure;
use Aigov\Client\Guards;
use Aigov\Client\PolicyMode;
use Aigov\Client\Uuid;

/**
 * An AiGovernance for the tests of a PHP service's guard code: it decides in memory with the
 * server's rules, catalog and precedence (Rules, a port of the server's, held equal to the real
 * server by this repository's build), and lets the test set the state and read what it decided.
 *
 * - State, as on a fresh server: every workspace is disabled until setPolicyMode() says otherwise;
 *   pause() and resume() a ControlScope, global or one workspace.
 * - Failures: failNext(FailureKind) makes the next decision the client's own block of that kind,
 *   failAlways() every one until stopFailing().
 * - What happened: evaluations() lists every request and its decision, in order.
 *
 * It decides with the server jar's built-in catalog (a copy shipped in this package), or with your
 * own: new InMemoryAiGovernance(catalogFile: 'deploy/aigov/catalog.json'). A malformed request (an
 * id that is not [A-Za-z0-9._:-]{1,128}) is a REJECTED_REQUEST block naming the field, as the server
 * answers it. Not modelled: request-id replays, audit events, deadlines.
 */
final class InMemoryAiGovernance implements AiGovernance
{
    use Guards;

    private const ID = '/^[A-Za-z0-9._:-]{1,128}$/';

    private Catalog $catalog;
    /** @var array<string, array{PolicyMode, int}> */
    private array $policies = [];
    /** @var array<string, array{ControlState, int}> */
    private array $workspaceControls = [];
    /** @var array{ControlState, int} */
    private array $globalControl = [ControlState::ENABLED, 0];
    /** @var list<GovernanceFailure> */
    private array $nextFailures = [];
    private ?GovernanceFailure $alwaysFailing = null;
    /** @var list<array{request: AiRequest, decision: AiDecision}> */
    private array $evaluations = [];

    /** @param ?string $catalogFile a catalog file (docs/catalog.md); null: the server's built-in catalog */
    public function __construct(?string $catalogFile = null)
    {
        $this->catalog = $catalogFile === null ? Catalog::builtIn() : Catalog::load($catalogFile);
    }

    /** The catalog it decides with. */
    public function catalog(): Catalog
    {
        return $this->catalog;
    }

    /**
     * Sets a workspace's policy mode, as SetWorkspacePolicy would: a different mode is a new version;
     * the mode already in force (disabled, for a workspace that never set one) changes nothing.
     */
    public function setPolicyMode(string $workspaceId, PolicyMode $mode): self
    {
        if ($mode === PolicyMode::UNRECOGNIZED) {
            throw new \InvalidArgumentException('mode: UNRECOGNIZED cannot be set');
        }
        [$current, $version] = $this->policies[$workspaceId] ?? [PolicyMode::DISABLED, 0];
        if ($current !== $mode) {
            $this->policies[$workspaceId] = [$mode, $version + 1];
        }
        return $this;
    }

    /** Pauses AI execution at a scope: the global one stops every workspace. */
    public function pause(ControlScope $scope): self
    {
        return $this->setControl($scope, ControlState::PAUSED);
    }

    /** Resumes AI execution at a scope. Resuming a workspace does not lift a global pause. */
    public function resume(ControlScope $scope): self
    {
        return $this->setControl($scope, ControlState::ENABLED);
    }

    private function setControl(ControlScope $scope, ControlState $state): self
    {
        $current = $scope->workspaceId === null
            ? $this->globalControl
            : $this->workspaceControls[$scope->workspaceId] ?? [ControlState::ENABLED, 0];
        $next = $current[0] === $state ? $current : [$state, $current[1] + 1];
        if ($scope->workspaceId === null) {
            $this->globalControl = $next;
        } else {
            $this->workspaceControls[$scope->workspaceId] = $next;
        }
        return $this;
    }

    /** Makes the next decision the client's own block of this kind, or for this failure (after any already queued). */
    public function failNext(FailureKind|GovernanceFailure $failure): self
    {
        $this->nextFailures[] = $failure instanceof FailureKind ? GovernanceFailure::typical($failure) : $failure;
        return $this;
    }

    /** Makes every decision the client's own block of this kind until stopFailing(): an outage, say. */
    public function failAlways(FailureKind|GovernanceFailure $failure): self
    {
        $this->alwaysFailing = $failure instanceof FailureKind ? GovernanceFailure::typical($failure) : $failure;
        return $this;
    }

    /** Clears every injected failure. */
    public function stopFailing(): self
    {
        $this->nextFailures = [];
        $this->alwaysFailing = null;
        return $this;
    }

    /** @return list<array{request: AiRequest, decision: AiDecision}> every decision so far, with its request, oldest first */
    public function evaluations(): array
    {
        return $this->evaluations;
    }

    /** @return list<AiDecision> the decisions so far, oldest first */
    public function decisions(): array
    {
        return array_map(fn (array $evaluation) => $evaluation['decision'], $this->evaluations);
    }

    public function lastDecision(): ?AiDecision
    {
        return $this->evaluations === [] ? null : $this->evaluations[count($this->evaluations) - 1]['decision'];
    }

    public function evaluate(AiRequest $request): AiDecision
    {
        $decision = $this->decide($request, $request->requestId ?? Uuid::v4());
        $this->evaluations[] = ['request' => $request, 'decision' => $decision];
        return $decision;
    }

    private function decide(AiRequest $request, string $requestId): AiDecision
    {
        $injected = $this->nextFailures === [] ? $this->alwaysFailing : array_shift($this->nextFailures);
        if ($injected !== null) {
            return AiDecision::failed($requestId, $injected);
        }
        $invalid = self::invalidField($request);
        if ($invalid !== null) {
            return AiDecision::failed($requestId, GovernanceFailure::of('INVALID_ARGUMENT', 'ERROR_REASON_INVALID_FIELD',
                ['field' => $invalid[0]], $invalid[0] . ': ' . $invalid[1]));
        }
        $decision = Rules::evaluate($request, $this->globalControl,
            $this->workspaceControls[$request->workspaceId] ?? [ControlState::ENABLED, 0],
            $this->policies[$request->workspaceId] ?? [PolicyMode::DISABLED, 0], $this->catalog);
        $basis = new DecisionBasis($decision['policyMode'], $decision['policyVersion'], $decision['executionState'],
            $decision['controlVersion'], new \DateTimeImmutable());
        if ($decision['reasons'] === []) {
            return AiDecision::allow($requestId, Uuid::v4(), Uuid::v4(), $decision['message'], $basis);
        }
        return AiDecision::block($requestId, $decision['reasons'], $decision['rejected'], Uuid::v4(), Uuid::v4(),
            $decision['message'], $basis, $decision['permittedProviderClasses'], $decision['permittedDataClassifications']);
    }

    /**
     * The first field the server would refuse, in the order it checks them, and why; null when none.
     *
     * @return ?array{string, string}
     */
    private static function invalidField(AiRequest $request): ?array
    {
        $ids = [
            ['actor.id', $request->actor->id, true],
            ['workspace_id', $request->workspaceId, true],
            ['tenant_id', $request->tenantId, false],
            ['use_case', $request->useCase, true],
            ['source_family', $request->sourceFamily, true],
            ['caller_surface', $request->callerSurface, false],
        ];
        foreach ($ids as [$field, $value, $required]) {
            if ($value === null || $value === '') {
                if ($required) {
                    return [$field, 'is required'];
                }
                continue;
            }
            if (preg_match(self::ID, $value) !== 1) {
                return [$field, strlen($value) > 128
                    ? 'is ' . strlen($value) . ' characters long; at most 128 are allowed'
                    : "may contain only letters, digits and . _ : - (got '$value')"];
            }
        }
        return null;
    }
}
