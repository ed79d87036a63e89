package dev.aigov.client.testing.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.client.AiDecision;
import dev.aigov.client.BlockReason;
import dev.aigov.client.ControlScope;
import dev.aigov.client.FailureKind;
import dev.aigov.client.PolicyMode;
import dev.aigov.client.testing.InMemoryAiGovernance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DraftServiceTest {

    private final InMemoryAiGovernance governance = new InMemoryAiGovernance()
            .setPolicyMode("ws-1", PolicyMode.PRIVATE_ONLY);
    private final List<String> prompts = new ArrayList<>();
    private final DraftService drafts = new DraftService(governance, question -> {
        prompts.add(question);
        return "a draft";
    });

    @Test
    void draftsWhenAigovAllows() {
        assertThat(drafts.draft("ws-1", "How do I reset a tenant?")).isEqualTo("a draft");
        assertThat(governance.lastDecision()).hasValueSatisfying(decision -> assertThat(decision.allowed()).isTrue());
    }

    @Test
    void aPauseStopsTheModelAndSaysSo() {
        governance.pause(ControlScope.workspace("ws-1"));

        assertThat(drafts.draft("ws-1", "How do I reset a tenant?")).isEqualTo("AI drafting is paused; try again later.");
        assertThat(prompts).isEmpty();
    }

    @Test
    void aWorkspaceThatNeverEnabledAiIsNotEnabled() {
        assertThat(drafts.draft("ws-2", "How do I reset a tenant?"))
                .isEqualTo("AI drafting is not enabled for this workspace.");
        assertThat(governance.lastDecision()).flatMap(AiDecision::reason)
                .contains(BlockReason.WORKSPACE_POLICY_DISABLED);
        assertThat(prompts).isEmpty();
    }

    @Test
    void anOutageIsNotReportedAsAMisconfiguration() {
        governance.failNext(FailureKind.UNAVAILABLE).failNext(FailureKind.REJECTED_CALLER);

        assertThat(drafts.draft("ws-1", "q")).isEqualTo("AI drafting is unavailable right now.");
        assertThat(drafts.draft("ws-1", "q")).isEqualTo("AI drafting is misconfigured; the team has been told.");
        assertThat(drafts.draft("ws-1", "q")).isEqualTo("a draft");
        assertThat(prompts).hasSize(1);
    }
}
