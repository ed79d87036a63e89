package dev.aigov.client.testing.example;

import dev.aigov.client.Actor;
import dev.aigov.client.AiExecutionBlockedException;
import dev.aigov.client.AiGovernance;
import dev.aigov.client.AiRequest;
import dev.aigov.client.DataClassification;
import dev.aigov.client.GovernedAiWork;
import dev.aigov.client.ProviderClass;
import dev.aigov.client.SourceFamily;
import dev.aigov.client.UseCase;
import dev.langchain4j.model.chat.ChatModel;

/** Drafts answers with a local model when aigov allows it, and tells the user why not otherwise. */
public final class DraftService {

    private final AiGovernance governance;
    private final ChatModel model;

    public DraftService(AiGovernance governance, ChatModel model) {
        this.governance = governance;
        this.model = model;
    }

    /** The model is called here only, inside the guard: the architecture test holds us to it. */
    @GovernedAiWork
    public String draft(String workspaceId, String question) {
        AiRequest request = AiRequest.builder()
                .workspaceId(workspaceId)
                .useCase(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT)
                .sourceFamily(SourceFamily.PRODUCT_KNOWLEDGE)
                .providerClass(ProviderClass.LOCAL_PRIVATE)
                .dataClassifications(DataClassification.PRODUCT_KNOWLEDGE)
                .actor(Actor.service("draft-service"))
                .build();
        try {
            return governance.runIfAllowed(request, () -> model.chat(question));
        } catch (AiExecutionBlockedException blocked) {
            return switch (blocked.decision().reason().orElseThrow()) {
                case AI_EXECUTION_PAUSED -> "AI drafting is paused; try again later.";
                case GOVERNANCE_UNAVAILABLE -> "AI drafting is unavailable right now.";
                case GOVERNANCE_REJECTED_CALLER, GOVERNANCE_REJECTED_REQUEST, GOVERNANCE_CLIENT_OUTDATED ->
                        "AI drafting is misconfigured; the team has been told.";
                default -> "AI drafting is not enabled for this workspace.";
            };
        }
    }
}
