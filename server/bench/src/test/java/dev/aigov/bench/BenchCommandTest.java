package dev.aigov.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestCertificates;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The load generator against the real server: every answer as expected, and the JSON it documents. */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY)
class BenchCommandTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    BenchCommandTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    @Test
    void shortClosedLoopGetsEveryAnswerRightAndWritesItsJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("results.json");
        String prefix = "bt-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        StringWriter printed = new StringWriter();

        int exit = run(printed, "--target", server.target(), "--token", admin, "--concurrency", "4",
                "--warmup", "200ms", "--duration", "1s", "--workspaces", "40", "--workspace-prefix", prefix,
                "--label", "test", "--json", json.toString());

        assertThat(exit).as(printed.toString()).isZero();
        JsonNode results = BenchResults.JSON.readTree(json.toFile());
        assertThat(results.path("tool").asText()).isEqualTo(BenchResults.TOOL);
        assertThat(results.path("mix").path("workspaces").asInt()).isEqualTo(40);
        JsonNode run = results.path("runs").get(0);
        for (String field : new String[]{"label", "loop", "inFlight", "offeredRate", "warmupSeconds", "durationSeconds",
                "measuredCalls", "answered", "throughput", "achievedRate", "latencyMs", "allowed", "allowShare", "errors",
                "errorCount", "mismatches", "checked", "notSent", "generatorCpuMicrosPerCall", "generatorCpuCores"}) {
            assertThat(run.has(field)).as("field %s in %s", field, run).isTrue();
        }
        for (String field : new String[]{"p50", "p90", "p99", "p999", "max", "mean"}) {
            assertThat(run.path("latencyMs").has(field)).as("latencyMs.%s", field).isTrue();
        }
        assertThat(run.path("loop").asText()).isEqualTo("closed");
        assertThat(run.path("inFlight").asInt()).isEqualTo(4);
        assertThat(run.path("errorCount").asLong()).as(printed.toString()).isZero();
        for (String kind : new String[]{"unsafeAllow", "unexpectedBlock", "wrongReason"}) {
            assertThat(run.path("mismatches").path(kind).asLong()).as("mismatches.%s", kind).isZero();
        }
        assertThat(run.path("throughput").asDouble()).isPositive();
        assertThat(run.path("allowShare").asDouble()).isBetween(0.60, 0.95);

        RunResult parsed = BenchResults.read(json).runs().get(0);
        assertThat(parsed.answered()).isEqualTo(run.path("answered").asLong());
        StringWriter report = new StringWriter();
        assertThat(run(report, "report", json.toString())).isZero();
        assertThat(report.toString()).contains("Closed loop").contains("test d/s");
    }

    @Test
    void refusesToLoadAPausedServerAndNamesAMissingCapability() {
        String prefix = "bt-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        // The set-up probes workspace 3 of its prefix; pausing it alone leaves the rest of the run's tests alone.
        clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                .setWorkspaceId(prefix + "3").setState(ControlState.CONTROL_STATE_PAUSED).setReason("test").build());
        StringWriter paused = new StringWriter();
        assertThat(run(paused, "--target", server.target(), "--token", admin, "--workspaces", "20",
                "--workspace-prefix", prefix, "--duration", "1s")).isNotZero();
        assertThat(paused.toString()).contains("paused");

        String evaluateOnly = server.mintToken("bench-evaluate-only", Set.of("ai.decisions.evaluate"), List.of());
        StringWriter lacking = new StringWriter();
        assertThat(run(lacking, "--target", server.target(), "--token", evaluateOnly, "--workspaces", "20",
                "--workspace-prefix", prefix, "--duration", "1s")).isNotZero();
        assertThat(lacking.toString()).contains("the token lacks workspace.ai_policy.view");
    }

    @Test
    void healthReportsServingOverTlsTrustingTheGivenCa(@TempDir Path dir) {
        TestCertificates certificates = TestCertificates.createIn(dir);
        try (TestServer tls = TestServer.startTls(new ServerConfig.Tls(certificates.serverCertificate(), certificates.serverKey(),
                Optional.empty()))) {
            StringWriter printed = new StringWriter();
            assertThat(run(printed, "health", "--target", tls.target(), "--tls-ca", certificates.caCertificate().toString(),
                    "--wait", "10s")).as(printed.toString()).isZero();
            assertThat(printed.toString()).contains("SERVING");
        }
    }

    @Test
    void refusesToRunWithoutATarget() {
        StringWriter printed = new StringWriter();
        assertThat(run(printed, "--token", "x")).isNotZero();
    }

    private static int run(StringWriter printed, String... args) {
        CommandLine commandLine = Main.commandLine();
        PrintWriter writer = new PrintWriter(printed, true);
        commandLine.setOut(writer);
        commandLine.setErr(writer);
        return commandLine.execute(args);
    }
}
