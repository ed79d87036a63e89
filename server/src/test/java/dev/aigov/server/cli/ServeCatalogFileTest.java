package dev.aigov.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.ProviderClass;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.api.v1.UseCase;
import dev.aigov.catalog.CatalogFile;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.ServerProcess;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AIGOV_CATALOG_FILE: a server decides with the operator's catalog and lists it; an invalid file stops
 * the start with one line naming the file, the line and the problem, and a non-zero exit code.
 */
class ServeCatalogFileTest {
    /** One use case of the operator's own, none of the built-in ones. */
    private static final String OPERATORS_CATALOG = """
            {
              "format": 1,
              "label": "billing r7",
              "use_cases": [
                {"key": "billing.invoice_summary",
                 "description": "Summarise an invoice for a support agent.",
                 "source_family": "billing",
                 "tenant_context_permitted": true,
                 "provider_classes": ["local_private"],
                 "data_classifications": ["operational_metadata", "tenant_configuration"]}
              ]
            }
            """;

    @TempDir
    static Path dir;

    @Test
    void theServerDecidesWithTheOperatorsCatalogAndListsIt() throws IOException {
        Path file = Files.writeString(dir.resolve("catalog.json"), OPERATORS_CATALOG);
        try (TestServer server = TestServer.startAdjusted(TestDatabase.shared(), config -> config.withCatalog(CatalogFile.load(file)));
             Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String workspace = Clients.freshWorkspace();
            clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                    .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());

            assertThat(clients.decisions(admin).listUseCases(ListUseCasesRequest.getDefaultInstance()).getUseCasesList())
                    .containsExactly(UseCase.newBuilder().setKey("billing.invoice_summary").setSourceFamily("billing")
                            .setTenantContextPermitted(true).addProviderClasses(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                            .addDataClassifications(DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA)
                            .addDataClassifications(DataClassification.DATA_CLASSIFICATION_TENANT_CONFIGURATION)
                            .setDescription("Summarise an invoice for a support agent.").build());

            Decision invoice = clients.decisions(admin).evaluateAiRequest(EvaluateAiRequestRequest.newBuilder()
                    .setWorkspaceId(workspace).setTenantId("tenant-7").setUseCase("billing.invoice_summary")
                    .setProviderClass(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                    .addDataClassifications(DataClassification.DATA_CLASSIFICATION_TENANT_CONFIGURATION)
                    .setSourceFamily("billing").setActor(Actor.newBuilder().setId("agent-1").setKind(ActorKind.ACTOR_KIND_USER))
                    .build()).getDecision();
            assertThat(invoice.getOutcome()).as(invoice.getMessage()).isEqualTo(Outcome.OUTCOME_ALLOW);

            // The built-in use cases are not in the operator's catalog.
            Decision answerDraft = clients.decisions(admin).evaluateAiRequest(Requests.answerDraft(workspace).build()).getDecision();
            assertThat(answerDraft.getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
            assertThat(answerDraft.getAllReasonsList()).containsExactly(BlockReason.BLOCK_REASON_USE_CASE_NOT_APPROVED);
        }
    }

    /**
     * SIGHUP reads the file again, in the process users run: a valid change serves (one INFO line with
     * the new version), an invalid one is refused with one ERROR line naming the file, line and
     * problem while the last good catalog goes on serving, and the process keeps running.
     */
    @Test
    void sighupReloadsTheCatalogAndRefusesAnInvalidOne() throws Exception {
        Path file = Files.writeString(dir.resolve("reloaded.json"), OPERATORS_CATALOG);
        try (ServerProcess process = ServerProcess.start(dir.resolve("reload-data"), Map.of("AIGOV_CATALOG_FILE", file.toString()))) {
            process.awaitLogLine("aigov listening on ", Duration.ofMinutes(2));
            String relabelled = CatalogFile.parse("relabelled", OPERATORS_CATALOG.replace("billing r7", "billing r8")).catalog()
                    .version().describe();
            Files.writeString(file, OPERATORS_CATALOG.replace("billing r7", "billing r8"));
            hangUp(process);
            assertThat(process.awaitLogLine("catalog reloaded", Duration.ofSeconds(30))).contains(relabelled);

            Files.writeString(file, OPERATORS_CATALOG.replace("\"billing\",", "\"billing\", \"colour\": 1,"));
            hangUp(process);
            assertThat(process.awaitLogLine("catalog reload refused", Duration.ofSeconds(30))).contains("ERROR", file.toString(), "line",
                    "colour", relabelled);
            assertThat(process.isAlive()).isTrue();
            ManagedChannel channel = NettyChannelBuilder.forTarget(process.target()).usePlaintext().build();
            try {
                // Health needs no token; the process serves on, with the last good catalog (the log says which).
                assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static void hangUp(ServerProcess process) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    @Test
    void anInvalidCatalogStopsTheStartWithOneLine() throws IOException {
        Path file = Files.writeString(dir.resolve("invalid.json"), OPERATORS_CATALOG.replace("\"tenant_configuration\"", "\"secrets\""));

        try (ServerProcess process = ServerProcess.start(dir.resolve("data"), Map.of("AIGOV_CATALOG_FILE", file.toString()))) {
            int exitCode = process.exitCode(Duration.ofSeconds(60));

            // Main's exit code for a refused start (docs/catalog.md).
            assertThat(exitCode).as("exit code; output:%n%s", process.log()).isEqualTo(2);
            assertThat(process.log().lines().filter(line -> !line.isBlank())).containsExactly("error: AIGOV_CATALOG_FILE: " + file
                    + " line 10: use case 'billing.invoice_summary': unknown data classification 'secrets' in data_classifications "
                    + "(one of: product_knowledge, operational_metadata, workspace_configuration, tenant_configuration, "
                    + "personal_data, secret)");
        }
    }
}
