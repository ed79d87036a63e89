package dev.aigov.client;

import static dev.aigov.client.FakeDecisionServer.answerWith;
import static dev.aigov.client.FakeDecisionServer.blockDecision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.client.example.AnswerDrafter;
import dev.aigov.client.example.ModelGateway;
import dev.aigov.evidence.InvalidReceipt;
import dev.aigov.evidence.Receipt;
import dev.aigov.evidence.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's examples are this module's example classes, word for word, so they compile with the
 * build; and AnswerDrafter does what the README says. (IncidentSwitch runs in RealServerTest.)
 */
class ReadmeExampleTest {

    private static final Path EXAMPLES = Path.of("src/test/java/dev/aigov/client/example");

    private FakeDecisionServer server;
    private AiGovernanceClient client;
    private final AtomicInteger modelCalls = new AtomicInteger();
    private AnswerDrafter drafter;

    @BeforeEach
    void start() {
        server = FakeDecisionServer.start();
        // A loaded machine must not turn an answer into a timeout.
        client = AiGovernanceClient.builder(server.target()).plaintext().bearerToken("t")
                .deadline(java.time.Duration.ofSeconds(5)).build();
        drafter = new AnswerDrafter(client, prompt -> {
            modelCalls.incrementAndGet();
            return "draft for " + prompt;
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"AnswerDrafter.java", "IncidentSwitch.java", "ModelGateway.java"})
    void theReadmeShowsTheExamplesWordForWord(String example) throws Exception {
        String readme = Files.readString(Path.of("README.md"));

        assertThat(readme).contains("```java\n" + Files.readString(EXAMPLES.resolve(example)) + "```");
    }

    @Test
    void theGatewayCallsTheModelForTheReceiptOfAnAllowOfThisCall() throws Exception {
        ModelGateway gateway = new ModelGateway(SigningKeys.KeySet.of(server.signingKey.publicKey()), prompt -> {
            modelCalls.incrementAndGet();
            return "completed " + prompt;
        });
        AiRequest request = Requests.productAnswer("ws-1").build();
        Receipt receipt = client.requireAllowed(request).receipt().orElseThrow();

        assertThat(gateway.complete(receipt, "ws-1", Set.of("product_knowledge"), "q")).isEqualTo("completed q");
        assertThat(modelCalls).hasValue(1);
    }

    @Test
    void theGatewayRefusesAnyOtherCall() {
        ModelGateway gateway = new ModelGateway(SigningKeys.KeySet.of(server.signingKey.publicKey()), prompt -> {
            modelCalls.incrementAndGet();
            return "completed " + prompt;
        });
        Receipt receipt = client.requireAllowed(Requests.productAnswer("ws-1").build()).receipt().orElseThrow();
        server.otherwiseAnswer(answerWith(blockDecision(
                dev.aigov.api.v1.BlockReason.BLOCK_REASON_WORKSPACE_POLICY_DISABLED).build()));
        Receipt block = client.evaluate(Requests.productAnswer("ws-1").build()).receipt().orElseThrow();
        ModelGateway otherKeys = new ModelGateway(SigningKeys.KeySet.of(SigningKeys.generate().publicKey()), prompt -> {
            modelCalls.incrementAndGet();
            return "completed " + prompt;
        });

        assertThatThrownBy(() -> gateway.complete(receipt, "ws-2", Set.of("product_knowledge"), "q"))
                .isInstanceOf(InvalidReceipt.class);
        assertThatThrownBy(() -> gateway.complete(receipt, "ws-1", Set.of("product_knowledge", "personal_data"), "q"))
                .isInstanceOf(InvalidReceipt.class);
        assertThatThrownBy(() -> gateway.complete(block, "ws-1", Set.of("product_knowledge"), "q"))
                .isInstanceOf(InvalidReceipt.class);
        assertThatThrownBy(() -> otherKeys.complete(receipt, "ws-1", Set.of("product_knowledge"), "q"))
                .isInstanceOf(InvalidReceipt.class);
        assertThat(modelCalls).hasValue(0);
    }

    @Test
    void theExampleCallsTheModelAfterAnAllow() throws Exception {
        assertThat(drafter.draftAnswer("ws-1", "user-7", "how do I reset a tenant?"))
                .contains("draft for how do I reset a tenant?");
        assertThat(modelCalls).hasValue(1);
    }

    @Test
    void theExampleNeverCallsTheModelOnABlock() throws Exception {
        server.otherwiseAnswer(answerWith(blockDecision(
                dev.aigov.api.v1.BlockReason.BLOCK_REASON_WORKSPACE_POLICY_DISABLED).build()));

        assertThat(drafter.draftAnswer("ws-1", "user-7", "question")).isEmpty();
        assertThat(modelCalls).hasValue(0);
    }

    @Test
    void theExampleNeverCallsTheModelWhenAigovIsDown() throws Exception {
        server.close();

        assertThat(drafter.draftAnswer("ws-1", "user-7", "question")).isEmpty();
        assertThat(modelCalls).hasValue(0);
    }
}
