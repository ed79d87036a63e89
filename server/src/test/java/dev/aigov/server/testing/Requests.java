package dev.aigov.server.testing;

import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.ProviderClass;

/** Request shapes for tests that drive a server from outside the grpc package. */
public final class Requests {
    private Requests() {
    }

    /** An answer-draft request: ALLOW once the workspace is private_only, BLOCK before. */
    public static EvaluateAiRequestRequest.Builder answerDraft(String workspace) {
        return EvaluateAiRequestRequest.newBuilder()
                .setWorkspaceId(workspace)
                .setUseCase("product_knowledge.answer_draft")
                .setProviderClass(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE)
                .setSourceFamily("product_knowledge")
                .setActor(Actor.newBuilder().setId("user-42").setKind(ActorKind.ACTOR_KIND_USER))
                .setCallerSurface("help-panel");
    }
}
