package dev.aigov.server.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.AuditEventKind;
import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.CatalogVersion;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.ListUseCasesResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.ProviderClass;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.catalog.CatalogFile;
import dev.aigov.server.config.TelemetryConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Eventually;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.Scrape;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's version is everywhere a decision can be read (the Decision, its audit event,
 * ListUseCases, the metrics), and a reload serves a valid file from the next decision on while an
 * invalid one is refused, counted and alerted on, the last good catalog still serving.
 */
class CatalogReloadEndToEndTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String FIRST = """
            {"format": 1, "label": "r1", "use_cases": [
              {"key": "product_knowledge.answer_draft", "description": "Draft an answer.", "source_family": "product_knowledge",
               "tenant_context_permitted": false, "provider_classes": ["local_private"],
               "data_classifications": ["product_knowledge", "operational_metadata"]}]}
            """;
    /** The same use case without operational_metadata, and a second one. */
    private static final String SECOND = """
            {"format": 1, "label": "r2", "use_cases": [
              {"key": "product_knowledge.answer_draft", "description": "Draft an answer.", "source_family": "product_knowledge",
               "tenant_context_permitted": false, "provider_classes": ["local_private"],
               "data_classifications": ["product_knowledge"]},
              {"key": "billing.invoice_summary", "description": "Summarise an invoice.", "source_family": "billing",
               "tenant_context_permitted": true, "provider_classes": ["local_private"],
               "data_classifications": ["operational_metadata"]}]}
            """;

    @TempDir
    Path dir;

    @Test
    void aReloadServesAValidFileAndKeepsTheLastGoodOneOverAnInvalidOne() throws IOException {
        Path file = Files.writeString(dir.resolve("catalog.json"), FIRST);
        String first = CatalogFile.load(file).catalog().version().digest();
        try (TestServer server = TestServer.startAdjusted(TestDatabase.shared(), config -> config.withCatalog(CatalogFile.load(file))
                .withTelemetry(new TelemetryConfig(TelemetryConfig.ANY_FREE_PORT, "127.0.0.1", Optional.empty())));
             Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String workspace = Clients.freshWorkspace();
            clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                    .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
            ListUseCasesResponse listed = clients.decisions(admin).listUseCases(ListUseCasesRequest.getDefaultInstance());
            assertThat(listed.getCatalog()).isEqualTo(CatalogVersion.newBuilder().setDigest(first).setLabel("r1").build());
            Decision before = clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace)
                    .addDataClassifications(DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA).build()).getDecision();
            assertThat(before.getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
            assertThat(before.getCatalog()).isEqualTo(listed.getCatalog());
            Scrape started = Scrape.of(server.metricsPort());
            assertThat(started.sum("aigov_catalog_version", Map.of("digest", first, "label", "r1"))).as(started.text()).isEqualTo(1);

            // A valid file: served from the next decision on, and stamped on it.
            Files.writeString(file, SECOND);
            assertThat(server.reloadCatalog()).isInstanceOf(CurrentCatalog.Reload.Loaded.class);
            String second = secondDigest();
            ListUseCasesResponse reloaded = clients.decisions(admin).listUseCases(ListUseCasesRequest.getDefaultInstance());
            assertThat(reloaded.getCatalog().getDigest()).isEqualTo(second).isNotEqualTo(first);
            assertThat(reloaded.getCatalog().getLabel()).isEqualTo("r2");
            assertThat(reloaded.getUseCasesList()).extracting(dev.aigov.api.v1.UseCase::getKey)
                    .containsExactly("billing.invoice_summary", "product_knowledge.answer_draft");
            Decision after = clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace)
                    .addDataClassifications(DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA).build()).getDecision();
            assertThat(after.getOutcome()).as("the reloaded catalog dropped operational_metadata").isEqualTo(Outcome.OUTCOME_BLOCK);
            assertThat(after.getAllReasonsList()).containsExactly(BlockReason.BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED);
            assertThat(after.getCatalog()).isEqualTo(reloaded.getCatalog());
            // What would pass: the classification it permits, and the class.
            assertThat(after.getPermittedDataClassificationsList())
                    .containsExactly(DataClassification.DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE);
            assertThat(after.getPermittedProviderClassesList()).containsExactly(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE);

            // Each decision's audit event names the catalog it was made with.
            ListAuditEventsRequest decisions = ListAuditEventsRequest.newBuilder().setWorkspaceId(workspace)
                    .setKind(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION).build();
            Eventually.within(BOUND, () -> clients.audit(admin).listAuditEvents(decisions).getEventsCount() == 2);
            List<dev.aigov.api.v1.AuditEvent> audited = clients.audit(admin).listAuditEvents(decisions).getEventsList();
            assertThat(audited.get(0).getDecision().getCatalog()).isEqualTo(after.getCatalog());
            assertThat(audited.get(1).getDecision().getCatalog()).isEqualTo(before.getCatalog());

            // An invalid file: refused, the last good catalog goes on serving, the failure is visible until a reload succeeds.
            Files.writeString(file, SECOND.replace("\"billing\"", "\"billing\", \"colour\": 1"));
            CurrentCatalog.Reload refused = server.reloadCatalog();
            assertThat(refused).isInstanceOf(CurrentCatalog.Reload.Refused.class);
            assertThat(((CurrentCatalog.Reload.Refused) refused).problem()).contains(file.toString(), "line", "colour");
            assertThat(clients.decisions(admin).listUseCases(ListUseCasesRequest.getDefaultInstance()).getCatalog())
                    .isEqualTo(reloaded.getCatalog());
            Scrape scrape = Scrape.of(server.metricsPort());
            assertThat(scrape.sum("aigov_catalog_reload_failed", Map.of())).isEqualTo(1);
            assertThat(scrape.sum("aigov_catalog_reloads_total", Map.of("result", "refused"))).isEqualTo(1);
            assertThat(scrape.sum("aigov_catalog_reloads_total", Map.of("result", "loaded"))).isEqualTo(1);
            assertThat(scrape.sum("aigov_catalog_version", Map.of("digest", second, "label", "r2"))).isEqualTo(1);
            assertThat(scrape.has("aigov_catalog_version", Map.of("digest", first, "label", "r1"))).isFalse();

            Files.writeString(file, FIRST);
            assertThat(server.reloadCatalog()).isInstanceOf(CurrentCatalog.Reload.Loaded.class);
            assertThat(Scrape.of(server.metricsPort()).sum("aigov_catalog_reload_failed", Map.of())).isZero();
        }
    }

    /**
     * Two replicas on one database that decide with different catalogs (a rollout half done) each
     * report their own in {@code aigov_catalog_version}, so the scrape of both shows two digests
     * (what AigovCatalogVersionsDisagree counts), and each stamps its own on its decisions.
     */
    @Test
    void twoReplicasWithDifferentCatalogsAreBothVisible() throws IOException {
        Path first = Files.writeString(dir.resolve("first.json"), FIRST);
        Path second = Files.writeString(dir.resolve("second.json"), SECOND);
        TelemetryConfig metrics = new TelemetryConfig(TelemetryConfig.ANY_FREE_PORT, "127.0.0.1", Optional.empty());
        try (TestServer old = TestServer.startAdjusted(TestDatabase.shared(),
                config -> config.withCatalog(CatalogFile.load(first)).withTelemetry(metrics));
             TestServer rolled = TestServer.startAdjusted(TestDatabase.shared(),
                     config -> config.withCatalog(CatalogFile.load(second)).withTelemetry(metrics));
             Clients oldClients = new Clients(old);
             Clients rolledClients = new Clients(rolled)) {
            String firstDigest = CatalogFile.load(first).catalog().version().digest();
            String secondDigest = secondDigest();
            java.util.Set<String> digests = new java.util.TreeSet<>();
            for (TestServer replica : List.of(old, rolled)) {
                Scrape.of(replica.metricsPort()).samples().stream().filter(sample -> sample.name().equals("aigov_catalog_version"))
                        .forEach(sample -> digests.add(sample.labels().get("digest")));
            }
            assertThat(digests).containsExactlyInAnyOrder(firstDigest, secondDigest);

            String admin = old.adminToken();
            String workspace = Clients.freshWorkspace();
            oldClients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                    .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
            assertThat(oldClients.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace).build()).getDecision()
                    .getCatalog().getDigest()).isEqualTo(firstDigest);
            String rolledAdmin = rolled.adminToken();
            assertThat(rolledClients.decisions(rolledAdmin).evaluateAiRequest(Requests.answerDraft(workspace).build()).getDecision()
                    .getCatalog().getDigest()).isEqualTo(secondDigest);
        }
    }

    /**
     * The digest of a catalog file's use cases, computed here from the encoding docs/catalog.md
     * documents, not by the code under test: the second catalog's two use cases.
     */
    private static String secondDigest() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        text(bytes, "aigov-catalog-v1");
        useCase(bytes, "billing.invoice_summary", "billing", true, List.of("local_private"), List.of("operational_metadata"),
                "Summarise an invoice.");
        useCase(bytes, "product_knowledge.answer_draft", "product_knowledge", false, List.of("local_private"),
                List.of("product_knowledge"), "Draft an answer.");
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static void useCase(java.io.ByteArrayOutputStream out, String key, String family, boolean tenant, List<String> classes,
            List<String> classifications, String description) {
        text(out, key);
        text(out, family);
        out.write(tenant ? 1 : 0);
        words(out, classes);
        words(out, classifications);
        text(out, description);
    }

    private static void words(java.io.ByteArrayOutputStream out, List<String> words) {
        integer(out, words.size());
        words.stream().sorted().forEach(word -> text(out, word));
    }

    private static void text(java.io.ByteArrayOutputStream out, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        integer(out, utf8.length);
        out.writeBytes(utf8);
    }

    private static void integer(java.io.ByteArrayOutputStream out, int value) {
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(value).array());
    }
}
