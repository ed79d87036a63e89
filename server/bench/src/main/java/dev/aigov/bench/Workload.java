package dev.aigov.bench;

import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.ProviderClass;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * A realistic mix of evaluate requests over many workspaces, each with the answer it must get.
 * Workspace {@code i} is {@code private_only} unless {@code i % 20 < 3} (15 % stay disabled); of
 * the requests, 94 % are well-formed for one of the two catalog use cases, 3 % declare
 * {@code personal_data}, 2 % name a use case outside the catalog and 1 % give a tenant to a use
 * case that forbids one. About 80 % are allowed.
 */
final class Workload {
    static final String ANSWER_DRAFT = "product_knowledge.answer_draft";
    static final String SUMMARY_DRAFT = "support_diagnostics.summary_draft";
    static final String UNKNOWN_USE_CASE = "marketing.email_draft";

    /** Share of ALLOW answers the mix is built for: enabled workspaces times well-formed requests. */
    static final double EXPECTED_ALLOW_SHARE = 0.85 * 0.94;

    private final String prefix;
    private final int count;

    /** One request and the answer it must get. */
    record Probe(EvaluateAiRequestRequest request, Expected expected) {
    }

    Workload(String prefix, int count) {
        if (count < 20) {
            throw new IllegalArgumentException("--workspaces must be at least 20 for the mix to hold, got " + count);
        }
        this.prefix = prefix;
        this.count = count;
    }

    String prefix() {
        return prefix;
    }

    int count() {
        return count;
    }

    String workspace(int index) {
        return prefix + index;
    }

    /** The policy the set-up gives workspace {@code index}. */
    PolicyMode mode(int index) {
        return index % 20 < 3 ? PolicyMode.POLICY_MODE_DISABLED : PolicyMode.POLICY_MODE_PRIVATE_ONLY;
    }

    List<Integer> indexes() {
        return IntStream.range(0, count).boxed().toList();
    }

    /** An allowed request for an enabled workspace: what the set-up probes with. */
    EvaluateAiRequestRequest allowedRequest() {
        return allowedRequest(workspace(3));
    }

    /** A request every rule allows when the workspace is private_only and nothing is paused. */
    static EvaluateAiRequestRequest allowedRequest(String workspace) {
        return answerDraft(workspace, "bench-probe").setRequestId(UUID.randomUUID().toString()).build();
    }

    /** The next request of the mix, with a fresh request_id as the client library sends. */
    Probe next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int index = random.nextInt(count);
        String workspace = workspace(index);
        String actor = "bench-user-" + random.nextInt(100);
        int roll = random.nextInt(100);
        EvaluateAiRequestRequest.Builder request;
        Expected expected;
        if (roll < 3) {
            request = answerDraft(workspace, actor).addDataClassifications(DataClassification.DATA_CLASSIFICATION_PERSONAL_DATA);
            expected = Expected.block(BlockReason.BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED);
        } else if (roll < 5) {
            request = answerDraft(workspace, actor).setUseCase(UNKNOWN_USE_CASE);
            expected = Expected.block(BlockReason.BLOCK_REASON_USE_CASE_NOT_APPROVED);
        } else if (roll < 6) {
            request = answerDraft(workspace, actor).setTenantId("tenant-" + random.nextInt(50));
            expected = Expected.block(BlockReason.BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED);
        } else if (random.nextBoolean()) {
            request = answerDraft(workspace, actor);
            expected = Expected.ALLOW;
        } else {
            request = summaryDraft(workspace, random.nextInt(50));
            expected = Expected.ALLOW;
        }
        // The workspace's policy comes first in the SPEC's order (no pause is running: the set-up checks).
        if (mode(index) == PolicyMode.POLICY_MODE_DISABLED) {
            expected = Expected.block(BlockReason.BLOCK_REASON_WORKSPACE_POLICY_DISABLED);
        }
        return new Probe(request.setRequestId(freshRequestId(random)).build(), expected);
    }

    /**
     * A random (version 4) UUID, as the client library sends; from the thread's own generator
     * rather than {@link UUID#randomUUID()}'s shared SecureRandom, which would cost the generator
     * CPU and contention the server never sees.
     */
    static String freshRequestId(ThreadLocalRandom random) {
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static EvaluateAiRequestRequest.Builder answerDraft(String workspace, String actor) {
        return EvaluateAiRequestRequest.newBuilder()
                .setWorkspaceId(workspace)
                .setUseCase(ANSWER_DRAFT)
                .setProviderClass(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE)
                .setSourceFamily("product_knowledge")
                .setActor(Actor.newBuilder().setId(actor).setKind(ActorKind.ACTOR_KIND_USER))
                .setCallerSurface("help-panel");
    }

    private static EvaluateAiRequestRequest.Builder summaryDraft(String workspace, int tenant) {
        return EvaluateAiRequestRequest.newBuilder()
                .setWorkspaceId(workspace)
                .setTenantId("tenant-" + tenant)
                .setUseCase(SUMMARY_DRAFT)
                .setProviderClass(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_TENANT_CONFIGURATION)
                .setSourceFamily("support_diagnostics")
                .setActor(Actor.newBuilder().setId("diagnostics-job").setKind(ActorKind.ACTOR_KIND_SERVICE))
                .setCallerSurface("diagnostics-upload");
    }
}
