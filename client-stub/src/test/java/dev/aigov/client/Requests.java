package dev.aigov.client;

import java.util.UUID;

/** Requests the tests ask with. */
final class Requests {

    private Requests() {
    }

    /** A request the catalog allows once the workspace's policy is private_only. */
    static AiRequest.Builder productAnswer(String workspaceId) {
        return AiRequest.builder()
                .workspaceId(workspaceId)
                .useCase(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT)
                .sourceFamily(SourceFamily.PRODUCT_KNOWLEDGE)
                .providerClass(ProviderClass.LOCAL_PRIVATE)
                .dataClassifications(DataClassification.PRODUCT_KNOWLEDGE)
                .actor(Actor.user("user-7"))
                .callerSurface("tests.client");
    }

    static AiRequest productAnswer() {
        return productAnswer("ws-" + UUID.randomUUID()).build();
    }
}
