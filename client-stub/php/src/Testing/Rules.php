<?php

declare(strict_types=1);

namespace Aigov\Client\Testing;

use Aigov\Client\AiRequest;
use Aigov\Client\BlockReason;
use Aigov\Client\ControlState;
use Aigov\Client\DataClassification;
use Aigov\Client\PolicyMode;
use Aigov\Client\ProviderClass;

/**
 * The decision, ported line for line from the server's dev.aigov.core.Rules: a pure function of
 * the request, the state and the catalog. Every rule is checked and every failure reported; the
 * primary reason is the first in BlockReason order; the message is the server's, word for word.
 * This repository's build asks the real server and this port the same table and holds them equal.
 */
final class Rules
{
    /** The server's rules, in precedence order. */
    private const PRECEDENCE = [
        BlockReason::AI_EXECUTION_PAUSED, BlockReason::WORKSPACE_POLICY_DISABLED, BlockReason::USE_CASE_NOT_APPROVED,
        BlockReason::PROVIDER_CLASS_NOT_PERMITTED, BlockReason::TENANT_CONTEXT_NOT_PERMITTED,
        BlockReason::SOURCE_FAMILY_NOT_PERMITTED, BlockReason::DATA_CLASSIFICATION_NOT_PERMITTED,
    ];

    private function __construct()
    {
    }

    /**
     * @param array{ControlState, int} $globalControl the global ai.execution state and version
     * @param array{ControlState, int} $workspaceControl the workspace's
     * @param array{PolicyMode, int} $policy the workspace's effective policy (DISABLED, 0 when never set)
     * @return array{reasons: list<BlockReason>, rejected: list<DataClassification>,
     *     permittedProviderClasses: list<ProviderClass>, permittedDataClassifications: list<DataClassification>, policyMode: PolicyMode,
     *     policyVersion: int, executionState: ControlState, controlVersion: int, message: string}
     */
    public static function evaluate(AiRequest $request, array $globalControl, array $workspaceControl, array $policy,
        Catalog $catalog): array
    {
        $useCase = $catalog->find($request->useCase);
        [$mode, $policyVersion] = $policy;
        $globalPaused = $globalControl[0] === ControlState::PAUSED;
        $workspacePaused = $workspaceControl[0] === ControlState::PAUSED;
        $paused = $globalPaused || $workspacePaused;
        $failed = [];
        $rejected = [];

        if ($paused) {
            $failed[] = BlockReason::AI_EXECUTION_PAUSED;
        }
        if ($mode === PolicyMode::DISABLED) {
            $failed[] = BlockReason::WORKSPACE_POLICY_DISABLED;
        }
        if ($useCase === null) {
            $failed[] = BlockReason::USE_CASE_NOT_APPROVED;
        }
        if (!self::providerClassPermitted($request->providerClass, $mode, $useCase)) {
            $failed[] = BlockReason::PROVIDER_CLASS_NOT_PERMITTED;
        }
        // The remaining rules compare the request with its use case; an unknown use case has none.
        if ($useCase !== null) {
            if (self::hasTenant($request) && !$useCase->tenantContextPermitted) {
                $failed[] = BlockReason::TENANT_CONTEXT_NOT_PERMITTED;
            }
            if ($useCase->sourceFamily !== $request->sourceFamily) {
                $failed[] = BlockReason::SOURCE_FAMILY_NOT_PERMITTED;
            }
            foreach ($request->dataClassifications as $classification) {
                if (!in_array($classification, $useCase->dataClassifications, true)) {
                    $rejected[] = $classification;
                }
            }
            if ($rejected !== []) {
                $failed[] = BlockReason::DATA_CLASSIFICATION_NOT_PERMITTED;
            }
        }

        // The deciding control: the global one when it is paused, else the workspace's when it is, else the global one.
        $control = $globalPaused ? $globalControl : ($workspacePaused ? $workspaceControl : $globalControl);
        // What would pass: only when nothing but the provider class and the classifications failed.
        $fallback = $failed !== [] && array_diff(array_map(fn (BlockReason $r) => $r->name, $failed),
            [BlockReason::PROVIDER_CLASS_NOT_PERMITTED->name, BlockReason::DATA_CLASSIFICATION_NOT_PERMITTED->name]) === [];
        $permittedClasses = [];
        $permittedClassifications = [];
        if ($fallback) {
            foreach (ProviderClass::cases() as $class) {
                if (in_array($class, $useCase->providerClasses, true) && in_array($class, self::permittedByMode($mode), true)) {
                    $permittedClasses[] = $class;
                }
            }
            foreach (DataClassification::cases() as $classification) {
                if (in_array($classification, $useCase->dataClassifications, true)) {
                    $permittedClassifications[] = $classification;
                }
            }
        }
        return [
            'reasons' => $failed,
            'rejected' => $rejected,
            'permittedProviderClasses' => $permittedClasses,
            'permittedDataClassifications' => $permittedClassifications,
            'policyMode' => $mode,
            'policyVersion' => $policyVersion,
            'executionState' => $paused ? ControlState::PAUSED : ControlState::ENABLED,
            'controlVersion' => $control[1],
            'message' => self::message($request, $globalPaused, $policy, $useCase, $failed, $rejected),
        ];
    }

    /** The provider classes a mode lets any approved use case reach. @return list<ProviderClass> */
    public static function permittedByMode(PolicyMode $mode): array
    {
        return $mode === PolicyMode::PRIVATE_ONLY ? [ProviderClass::LOCAL_PRIVATE] : [];
    }

    /**
     * A disabled mode is reported by its own rule; here it is measured by what enabling the workspace
     * could permit, so that each reason names one thing to fix (the server's comment, kept).
     */
    private static function providerClassPermitted(ProviderClass $providerClass, PolicyMode $mode, ?ApprovedUseCase $useCase): bool
    {
        $byMode = $mode === PolicyMode::DISABLED
            ? in_array($providerClass, self::permittedByMode(PolicyMode::PRIVATE_ONLY), true)
            : in_array($providerClass, self::permittedByMode($mode), true);
        $byUseCase = $useCase === null || in_array($providerClass, $useCase->providerClasses, true);
        return $byMode && $byUseCase;
    }

    private static function hasTenant(AiRequest $request): bool
    {
        return $request->tenantId !== null && $request->tenantId !== '';
    }

    /**
     * @param array{PolicyMode, int} $policy
     * @param list<BlockReason> $failed
     * @param list<DataClassification> $rejected
     */
    private static function message(AiRequest $request, bool $globalPaused, array $policy, ?ApprovedUseCase $useCase,
        array $failed, array $rejected): string
    {
        if ($failed === []) {
            return "Allowed: use case '{$request->useCase}' may send " . self::words($request->dataClassifications)
                . " to a {$request->providerClass->value} provider for workspace '{$request->workspaceId}'.";
        }
        $ordered = array_values(array_filter(self::PRECEDENCE, fn (BlockReason $r) => in_array($r, $failed, true)));
        $primary = match ($ordered[0]) {
            BlockReason::AI_EXECUTION_PAUSED => $globalPaused
                ? 'AI execution is paused globally.'
                : "AI execution is paused for workspace '{$request->workspaceId}'.",
            BlockReason::WORKSPACE_POLICY_DISABLED => $policy[1] === 0
                ? "workspace '{$request->workspaceId}' has never set an AI policy, so AI is disabled there."
                : "workspace '{$request->workspaceId}' has its AI policy set to disabled.",
            BlockReason::USE_CASE_NOT_APPROVED => "use case '{$request->useCase}' is not in the catalog of approved use cases.",
            BlockReason::PROVIDER_CLASS_NOT_PERMITTED => "provider class {$request->providerClass->value} is not permitted"
                . ($useCase !== null ? " for use case '{$useCase->key}'" : '') . " under policy {$policy[0]->value}.",
            BlockReason::TENANT_CONTEXT_NOT_PERMITTED => "use case '{$request->useCase}' does not permit tenant context.",
            BlockReason::SOURCE_FAMILY_NOT_PERMITTED => "source family '{$request->sourceFamily}' is not permitted for use case '"
                . $request->useCase . "'" . ($useCase !== null ? " (it takes '{$useCase->sourceFamily}')" : '') . '.',
            BlockReason::DATA_CLASSIFICATION_NOT_PERMITTED => "use case '{$request->useCase}' does not permit data classified as "
                . self::words($rejected) . '.',
        };
        $others = count($ordered) === 1 ? ''
            : ' Also failing: ' . implode(', ', array_map(fn (BlockReason $r) => $r->value, array_slice($ordered, 1))) . '.';
        return 'Blocked: ' . $primary . $others;
    }

    /** @param list<DataClassification> $values */
    private static function words(array $values): string
    {
        return implode(', ', array_map(fn (DataClassification $c) => $c->value, $values));
    }
}
