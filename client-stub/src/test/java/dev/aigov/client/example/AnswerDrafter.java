package dev.aigov.client.example;

import dev.aigov.client.Actor;
import dev.aigov.client.AiExecutionBlockedException;
import dev.aigov.client.AiGovernance;
import dev.aigov.client.AiGovernanceClient;
import dev.aigov.client.AiRequest;
import dev.aigov.client.DataClassification;
import dev.aigov.client.ProviderClass;
import dev.aigov.client.SourceFamily;
import dev.aigov.client.UseCase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Drafts answers to product questions with a local model, only when aigov allows it. */
public final class AnswerDrafter {

    /** Any client of a local model. */
    public interface LocalModel {
        String complete(String prompt) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(AnswerDrafter.class.getName());

    private final AiGovernance governance;
    private final LocalModel model;

    /** Takes the interface, so that a test can hand in an InMemoryAiGovernance instead of a client. */
    public AnswerDrafter(AiGovernance governance, LocalModel model) {
        this.governance = governance;
        this.model = model;
    }

    /** One client per process: build it at start-up, share it everywhere, close it at shutdown. */
    public static AiGovernanceClient connect(String token) {
        return AiGovernanceClient.builder("dns:///aigov.internal:50051")
                .bearerToken(token)
                .trustedCertificates(Path.of("/etc/aigov/ca.pem"))
                .build();
    }

    /** A draft answer, or empty when AI drafting is not allowed (or aigov cannot be asked). */
    public Optional<String> draftAnswer(String workspaceId, String userId, String question) throws IOException {
        AiRequest request = AiRequest.builder()
                .workspaceId(workspaceId)
                .useCase(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT)
                .sourceFamily(SourceFamily.PRODUCT_KNOWLEDGE)
                .providerClass(ProviderClass.LOCAL_PRIVATE)
                .dataClassifications(DataClassification.PRODUCT_KNOWLEDGE)
                .actor(Actor.user(userId))
                .callerSurface("help_center.answer_box")
                .build();
        try {
            // The model is called inside the guard, and only there: no ALLOW, no call.
            return Optional.of(governance.runIfAllowed(request, () -> model.complete(question)));
        } catch (AiExecutionBlockedException blocked) {
            LOG.log(System.Logger.Level.INFO, "AI drafting blocked: {0}", blocked.decision());
            return Optional.empty();
        }
    }
}
