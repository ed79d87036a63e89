package dev.aigov.server.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.core.Actor;
import dev.aigov.core.ActorKind;
import dev.aigov.core.DataClassification;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.ProviderClass;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * EvaluateAiRequest's fingerprint: what makes a retry the same request. The digests are pinned,
 * worked out from the field order {@link DecisionService#fingerprint} documents.
 */
class DecisionFingerprintTest {
    private static final UUID PRINCIPAL = UUID.fromString("3f2b8c1e-6a4d-4c1b-9a57-0f6e2d8b7c44");

    private static DecisionRequest request(String tenant, String callerSurface) {
        return new DecisionRequest("acme", tenant, "product_knowledge.answer_draft", ProviderClass.LOCAL_PRIVATE,
                List.of(DataClassification.PRODUCT_KNOWLEDGE, DataClassification.PERSONAL_DATA), "product_knowledge",
                new Actor("user-42", ActorKind.USER), callerSurface, Optional.of(UUID.randomUUID()), "aigov-client/1.2.0");
    }

    private static String hex(DecisionRequest request) {
        return HexFormat.of().formatHex(DecisionService.fingerprint(PRINCIPAL, request));
    }

    @Test
    void fingerprintsArePinned() {
        assertThat(hex(request("contoso", "help-panel")))
                .isEqualTo("bc18e80f958236631b5283f67ef1e8fd3f52d61ea28b5f794a9bdb1a628cffa3");
        assertThat(hex(new DecisionRequest("acme", "", "product_knowledge.answer_draft", ProviderClass.EXTERNAL_PUBLIC,
                List.of(DataClassification.PRODUCT_KNOWLEDGE), "product_knowledge", new Actor("svc-1", ActorKind.SERVICE), "",
                Optional.empty())))
                .isEqualTo("ddbe9f40f0c797f8c2d230a6db325e9961166cb1ff3156700844974de5c6bd3c");
    }

    @Test
    void aRetryIsTheSameRequestWhateverItsRequestIdAndClientVersion() {
        DecisionRequest first = request("contoso", "help-panel");
        DecisionRequest retry = new DecisionRequest(first.workspaceId(), first.tenantId(), first.useCase(), first.providerClass(),
                List.of(DataClassification.PRODUCT_KNOWLEDGE, DataClassification.PERSONAL_DATA, DataClassification.PRODUCT_KNOWLEDGE),
                first.sourceFamily(), new Actor("user-42", ActorKind.USER), first.callerSurface(), Optional.empty(), "");

        assertThat(hex(retry)).isEqualTo(hex(first));
    }

    @Test
    void everyFieldOfTheRequestAndItsCallerTakesPart() {
        DecisionRequest base = request("contoso", "help-panel");
        List<DecisionRequest> others = List.of(
                new DecisionRequest("acme-2", "contoso", base.useCase(), base.providerClass(), base.dataClassifications(),
                        base.sourceFamily(), base.actor(), base.callerSurface(), base.requestId()),
                request("", "help-panel"),
                new DecisionRequest("acme", "contoso", "support.summary_draft", base.providerClass(), base.dataClassifications(),
                        base.sourceFamily(), base.actor(), base.callerSurface(), base.requestId()),
                new DecisionRequest("acme", "contoso", base.useCase(), ProviderClass.EXTERNAL_PUBLIC, base.dataClassifications(),
                        base.sourceFamily(), base.actor(), base.callerSurface(), base.requestId()),
                new DecisionRequest("acme", "contoso", base.useCase(), base.providerClass(),
                        List.of(DataClassification.PERSONAL_DATA, DataClassification.PRODUCT_KNOWLEDGE),
                        base.sourceFamily(), base.actor(), base.callerSurface(), base.requestId()),
                new DecisionRequest("acme", "contoso", base.useCase(), base.providerClass(), base.dataClassifications(),
                        "support_diagnostics", base.actor(), base.callerSurface(), base.requestId()),
                new DecisionRequest("acme", "contoso", base.useCase(), base.providerClass(), base.dataClassifications(),
                        base.sourceFamily(), new Actor("user-43", ActorKind.USER), base.callerSurface(), base.requestId()),
                new DecisionRequest("acme", "contoso", base.useCase(), base.providerClass(), base.dataClassifications(),
                        base.sourceFamily(), new Actor("user-42", ActorKind.SERVICE), base.callerSurface(), base.requestId()),
                request("contoso", ""));

        for (DecisionRequest other : others) {
            assertThat(hex(other)).as("%s", other).isNotEqualTo(hex(base));
        }
        assertThat(DecisionService.fingerprint(UUID.randomUUID(), base)).isNotEqualTo(DecisionService.fingerprint(PRINCIPAL, base));
    }
}
