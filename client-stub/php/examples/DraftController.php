<?php

declare(strict_types=1);

namespace App\Http\Controllers;

use Aigov\Client\Actor;
use Aigov\Client\AiExecutionBlockedException;
use Aigov\Client\AiGovernance;
use Aigov\Client\AiRequest;
use Aigov\Client\BlockReason;
use Aigov\Client\DataClassification;
use Aigov\Client\ProviderClass;
use Aigov\Client\SourceFamily;
use Aigov\Client\UseCase;
use App\Ai\LocalModel;
use Illuminate\Http\JsonResponse;
use Illuminate\Http\Request;

/** POST /workspaces/{workspace}/drafts: a draft answer from a local model, only when aigov allows it. */
final class DraftController extends Controller
{
    /** Takes the interface: the container hands in the client, a test the in-memory double. */
    public function __construct(private readonly AiGovernance $governance, private readonly LocalModel $model)
    {
    }

    public function store(Request $request, string $workspace): JsonResponse
    {
        $aiRequest = new AiRequest(
            workspaceId: $workspace,
            useCase: UseCase::PRODUCT_KNOWLEDGE_ANSWER_DRAFT,
            providerClass: ProviderClass::LOCAL_PRIVATE,
            dataClassifications: [DataClassification::PRODUCT_KNOWLEDGE],
            sourceFamily: SourceFamily::PRODUCT_KNOWLEDGE,
            actor: Actor::user((string) $request->user()->id),
            callerSurface: 'help_center.answer_box',
        );
        try {
            // The model is called inside the guard, and only there: no ALLOW, no call.
            $draft = $this->governance->runIfAllowed($aiRequest, fn () => $this->model->complete($request->input('question')));
            return response()->json(['draft' => $draft]);
        } catch (AiExecutionBlockedException $blocked) {
            return response()->json(['message' => match ($blocked->decision->reason()) {
                BlockReason::AI_EXECUTION_PAUSED => 'AI drafting is paused; try again later.',
                BlockReason::GOVERNANCE_UNAVAILABLE => 'AI drafting is unavailable right now.',
                BlockReason::GOVERNANCE_REJECTED_CALLER, BlockReason::GOVERNANCE_REJECTED_REQUEST,
                BlockReason::GOVERNANCE_CLIENT_OUTDATED => 'AI drafting is misconfigured; the team has been told.',
                default => 'AI drafting is not enabled for this workspace.',
            }], 409);
        }
    }
}
