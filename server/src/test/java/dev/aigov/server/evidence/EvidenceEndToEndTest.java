package dev.aigov.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.Checkpoint;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.GetCheckpointRequest;
import dev.aigov.api.v1.ListSigningKeysRequest;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.ProviderClass;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.evidence.InvalidReceipt;
import dev.aigov.evidence.Receipt;
import dev.aigov.evidence.ReceiptVerifier;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.evidence.SigningKeys;
import dev.aigov.server.config.EvidenceConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Eventually;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evidence as a caller and an operator meet it: every decision's receipt verifies offline against
 * the published keys; the checkpoints leave the database by GetCheckpoint and the checkpoint file;
 * a rotated key signs from the next batch on while older receipts still verify.
 */
class EvidenceEndToEndTest {
    @TempDir
    Path dir;

    private TestServer start() {
        return TestServer.startAdjusted(TestDatabase.shared(), config -> config.withEvidence(new EvidenceConfig(
                Optional.of(dir.resolve("signing-key.pem")), Duration.ofSeconds(60), Optional.of(dir.resolve("checkpoints")))));
    }

    private static EvaluateAiRequestRequest.Builder summaryDraft(String workspace, ProviderClass provider) {
        return EvaluateAiRequestRequest.newBuilder().setWorkspaceId(workspace).setTenantId("tenant-9")
                .setUseCase("support_diagnostics.summary_draft").setProviderClass(provider)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA)
                .setSourceFamily("support_diagnostics")
                .setActor(Actor.newBuilder().setId("diagnostics-job").setKind(ActorKind.ACTOR_KIND_SERVICE));
    }

    private static String privateOnlyWorkspace(Clients clients, String admin) {
        String workspace = Clients.freshWorkspace();
        clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        return workspace;
    }

    private static SigningKeys.KeySet published(Clients clients, String token) {
        return SigningKeys.KeySet.of(clients.evidence(token).listSigningKeys(ListSigningKeysRequest.getDefaultInstance()).getKeysList()
                .stream().map(key -> SigningKeys.PublicKey.of(key.getPublicKey().toByteArray())).toList());
    }

    private static Receipt receipt(Decision decision) {
        assertThat(decision.hasReceipt()).as("every decision carries a receipt").isTrue();
        return new Receipt(decision.getReceipt().getEvent().toByteArray(), decision.getReceipt().getLeafIndex(),
                decision.getReceipt().getInclusionPathList().stream().map(com.google.protobuf.ByteString::toByteArray).toList(),
                decision.getReceipt().getCheckpoint());
    }

    @Test
    void anAllowsReceiptVerifiesOfflineForItsCallAndNoOther() throws Exception {
        try (TestServer server = start(); Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String workspace = privateOnlyWorkspace(clients, admin);
            Decision allow = clients.decisions(admin).evaluateAiRequest(summaryDraft(workspace, ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                    .build()).getDecision();
            assertThat(allow.getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);

            ReceiptVerifier verifier = new ReceiptVerifier(published(clients, admin));
            ReceiptVerifier.Verified verified = verifier.requireAllowed(receipt(allow), workspace, "local_private",
                    List.of("operational_metadata"));

            assertThat(verified.decisionId().toString()).isEqualTo(allow.getDecisionId());
            assertThat(verified.tenantId()).isEqualTo("tenant-9");
            assertThat(verified.expiresAt()).isEqualTo(verified.issuedAt().plusSeconds(60));
            assertThat(com.google.protobuf.util.Timestamps.toMillis(allow.getReceipt().getExpiresAt()))
                    .isEqualTo(verified.expiresAt().toEpochMilli());
            assertThatThrownBy(() -> verifier.requireAllowed(receipt(allow), "external_public", List.of("operational_metadata")))
                    .isInstanceOf(InvalidReceipt.class).hasMessageContaining("external_public");
            assertThatThrownBy(() -> verifier.requireAllowed(receipt(allow), "local_private", List.of("personal_data")))
                    .isInstanceOf(InvalidReceipt.class).hasMessageContaining("personal_data");

            Decision block =
                    clients.decisions(admin).evaluateAiRequest(summaryDraft(workspace, ProviderClass.PROVIDER_CLASS_EXTERNAL_PUBLIC)
                            .build()).getDecision();
            assertThat(block.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
            assertThat(verifier.verify(receipt(block)).outcome()).isEqualTo("block");
            assertThatThrownBy(() -> verifier.requireAllowed(receipt(block), "external_public", List.of()))
                    .isInstanceOf(InvalidReceipt.class).extracting(e -> ((InvalidReceipt) e).reason())
                    .isEqualTo(InvalidReceipt.Reason.NOT_ALLOWED);
        }
    }

    @Test
    void aReplayedRequestIdAnswersTheFirstDecisionWithItsReceipt() throws Exception {
        try (TestServer server = start(); Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String workspace = privateOnlyWorkspace(clients, admin);
            EvaluateAiRequestRequest request = summaryDraft(workspace, ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                    .setRequestId(UUID.randomUUID().toString()).build();

            Decision first = clients.decisions(admin).evaluateAiRequest(request).getDecision();
            Decision replayed = clients.decisions(admin).evaluateAiRequest(request).getDecision();

            assertThat(replayed.getDecisionId()).isEqualTo(first.getDecisionId());
            assertThat(replayed.getReceipt()).isEqualTo(first.getReceipt());
            new ReceiptVerifier(published(clients, admin)).requireAllowed(receipt(replayed), "local_private", List.of());
        }
    }

    @Test
    void theCheckpointsLeaveTheDatabaseByRpcAndByTheCheckpointFile() throws Exception {
        try (TestServer server = start(); Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String reader = server.mintToken("evidence-reader-" + UUID.randomUUID(), Set.of("ops.controls.view"), List.of());
            String workspace = privateOnlyWorkspace(clients, admin); // a change: the side chain
            Decision allow = clients.decisions(admin).evaluateAiRequest(summaryDraft(workspace, ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                    .build()).getDecision();
            SignedCheckpoint signedForDecision = SignedCheckpoint.parse(allow.getReceipt().getCheckpoint());

            // Any valid token may read them.
            List<Checkpoint> heads = clients.evidence(reader).getCheckpoint(GetCheckpointRequest.getDefaultInstance()).getCheckpointsList();

            assertThat(heads).hasSizeGreaterThanOrEqualTo(2); // the decision writer's chain and the side chain
            Checkpoint decisionChain = heads.stream().filter(head -> head.getChainId().equals(
                    signedForDecision.checkpoint().chain().toString())).findFirst().orElseThrow();
            assertThat(decisionChain.getSeq()).isGreaterThanOrEqualTo(signedForDecision.checkpoint().seq());
            SigningKeys.KeySet keys = published(clients, reader);
            for (Checkpoint head : heads) {
                SignedCheckpoint signed = SignedCheckpoint.parse(head.getNote());
                assertThat(signed.verify(keys.find(head.getKeyId()).orElseThrow())).isTrue();
                assertThat(signed.checkpoint().seq()).isEqualTo(head.getSeq());
            }

            Path file = dir.resolve("checkpoints").resolve(CheckpointPublisher.FILE);
            Eventually.within(Duration.ofSeconds(10), () -> Files.exists(file) && read(file).contains(decisionChain.getChainId()));
            assertThat(read(file)).contains("\"checkpoint\":{\"chainId\":\"" + decisionChain.getChainId());
        }
    }

    @Test
    void aRotatedKeySignsFromTheNextBatchWhileOlderReceiptsStillVerify() throws Exception {
        try (TestServer server = start(); Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String workspace = privateOnlyWorkspace(clients, admin);
            Decision before = clients.decisions(admin).evaluateAiRequest(summaryDraft(workspace, ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                    .build()).getDecision();
            String oldKey = SignedCheckpoint.parse(before.getReceipt().getCheckpoint()).checkpoint().keyId();

            SigningKeys.PrivateKey rotated = SigningKeys.generate();
            SigningKeys.write(rotated, dir.resolve("signing-key.pem"));
            server.reloadCatalog(); // what SIGHUP does: the catalog and the signing key

            Decision after = clients.decisions(admin).evaluateAiRequest(summaryDraft(workspace, ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                    .build()).getDecision();
            String newKey = SignedCheckpoint.parse(after.getReceipt().getCheckpoint()).checkpoint().keyId();
            assertThat(newKey).isEqualTo(rotated.publicKey().keyId()).isNotEqualTo(oldKey);

            ReceiptVerifier verifier = new ReceiptVerifier(published(clients, admin));
            verifier.requireAllowed(receipt(before), "local_private", List.of());
            verifier.requireAllowed(receipt(after), "local_private", List.of());
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
