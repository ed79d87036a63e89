package dev.aigov.server.telemetry;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static dev.aigov.server.testing.Eventually.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.storage.EmbeddedCredentials;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.ServerProcess;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * With the server's own logback configuration in json mode: every line a server writes while it
 * starts, serves, refuses and stops is one JSON object, a change's line carries its request_id and
 * trace_id, and no token or password appears anywhere in the output (json or text).
 */
// It starts the server as a process, which may take up to 90 s on a loaded machine.
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JsonLogsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineIsOneJsonObjectWithTheCallsIdsAndNoSecret() throws Exception {
        List<String> secrets = new ArrayList<>();
        String output = capturedWhileServing("json", secrets);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        assertThat(lines).isNotEmpty().allSatisfy(line -> {
            assertThat(line.isObject()).isTrue();
            assertThat(line.path("timestamp").asText()).isNotBlank();
            assertThat(line.path("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
            assertThat(line.path("logger").asText()).startsWith("dev.aigov");
            assertThat(line.path("message").asText()).isNotBlank();
        });
        String requestId = secrets.removeLast();
        JsonNode change = lines.stream().filter(line -> line.path("message").asText().contains("PAUSED for workspace"))
                .findFirst().orElseThrow();
        assertThat(change.path("request_id").asText()).isEqualTo(requestId);
        assertThat(change.path("trace_id").asText()).matches("[0-9a-f]{32}");
        assertThat(secrets).allSatisfy(secret -> assertThat(output).doesNotContain(secret));
    }

    /**
     * The whole output of a server process in json mode, from the JVM's start to its stop, is one
     * JSON object per line: nothing else (a JDK warning from a library, say) writes to it.
     */
    @Test
    void aServerProcessPrintsNothingButJsonLines(@TempDir Path dataDir) throws Exception {
        String output;
        try (ServerProcess process = ServerProcess.start(dataDir, Map.of("AIGOV_LOG_FORMAT", "json"))) {
            process.awaitServing(Duration.ofSeconds(90));
            process.stop();
            output = process.log();
        }
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        assertThat(lines).as("the process output").isNotEmpty();
        for (String line : lines) {
            JsonNode parsed;
            try {
                parsed = JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
                throw new AssertionError("a line of the process output is not JSON: " + line, notJson);
            }
            assertThat(parsed.isObject()).as("line %s", line).isTrue();
        }
        assertThat(output).contains("aigov listening");
    }

    @Test
    void theTextFormatLeaksNoSecretEither() throws Exception {
        List<String> secrets = new ArrayList<>();
        String output = capturedWhileServing("text", secrets);
        secrets.removeLast();
        assertThat(output).contains("PAUSED for workspace");
        assertThat(secrets).allSatisfy(secret -> assertThat(output).doesNotContain(secret));
        // A reason with CR/LF in it cannot forge a line of its own: it is escaped in the line it belongs to.
        assertThat(output.lines()).noneMatch(line -> line.contains("FORGED LINE") && !line.contains("log drill\\r\\n"));
        assertThat(output).contains("log drill\\r\\n2026-01-01T00:00:00.000Z INFO  [main] forged - FORGED LINE");
    }

    /**
     * Starts a server logging in {@code format}, serves calls with good, forged and revoked tokens,
     * pauses a workspace with a request_id, and stops it; returns what was logged. {@code secrets}
     * gets every token and password in play, then the request_id last.
     */
    private static String capturedWhileServing(String format, List<String> secrets) throws JoranException {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String previousFormat = System.getProperty("aigov.log.format");
        System.setProperty("aigov.log.format", format);
        configureLogback();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EmbeddedCredentials credentials = EmbeddedCredentials.read(TestDatabase.sharedHome());
            secrets.add(credentials.runtimePassword());
            secrets.add(credentials.ownerPassword());
            // Spans exported (to nowhere): the call's trace_id is what a log line carries then.
            try (TestServer server = TestServer.startAdjusted(TestDatabase.shared(), config -> config,
                    config -> Telemetry.start(config.telemetry(), Optional.of(spans -> spans)));
                 Clients clients = new Clients(server)) {
                String admin = server.adminToken();
                String evaluator = server.mintToken("evaluator", Set.of(Capability.AI_DECISIONS_EVALUATE.key()), List.of());
                TestServer.NamedToken revokedToken = server.mintNamed("revoked", Set.of(Capability.AI_DECISIONS_EVALUATE.key()), List.of());
                String revoked = revokedToken.token();
                String forged = "aigov_" + "Z".repeat(43);
                secrets.addAll(List.of(admin, evaluator, revoked, forged, admin.substring(6), evaluator.substring(6)));
                String workspace = freshWorkspace();
                clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                        .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
                clients.decisions(evaluator).evaluateAiRequest(Requests.answerDraft(workspace).build());
                assertThat(server.tokens().revoke(revokedToken.name())).isTrue();
                for (String refused : List.of(forged, "not-a-token " + admin)) {
                    assertThatThrownBy(() -> clients.decisions(refused).evaluateAiRequest(Requests.answerDraft(workspace).build()))
                            .isInstanceOf(StatusRuntimeException.class);
                }
                // A revocation reaches the in-memory state within the staleness bound.
                within(Duration.ofSeconds(5), () -> {
                    try {
                        clients.decisions(revoked).evaluateAiRequest(Requests.answerDraft(workspace).build());
                        return false;
                    } catch (StatusRuntimeException refused) {
                        return refused.getStatus().getCode() == io.grpc.Status.Code.UNAUTHENTICATED;
                    }
                });
                assertThatThrownBy(() -> clients.controls(evaluator).setExecutionControl(SetExecutionControlRequest.newBuilder()
                        .setControlKey("ai.execution").setWorkspaceId(workspace).setState(ControlState.CONTROL_STATE_PAUSED)
                        .setReason("not allowed").build())).isInstanceOf(StatusRuntimeException.class);
                String requestId = UUID.randomUUID().toString();
                clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder()
                        .setControlKey("ai.execution").setWorkspaceId(workspace).setState(ControlState.CONTROL_STATE_PAUSED)
                        .setReason("log drill\r\n2026-01-01T00:00:00.000Z INFO  [main] forged - FORGED LINE").setRequestId(requestId)
                        .build());
                secrets.add(requestId);
            }
        } finally {
            System.setErr(original);
            if (previousFormat == null) {
                System.clearProperty("aigov.log.format");
            } else {
                System.setProperty("aigov.log.format", previousFormat);
            }
            configureLogback();
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static void configureLogback() throws JoranException {
        // A warning in the configuration makes logback print its whole status at every start. It is
        // checked on a context of its own: the shared one also records what other threads log while it
        // is reset (an append to a stopped appender is a WARN of its own, not the configuration's).
        LoggerContext scratch = new LoggerContext();
        try {
            configure(scratch);
            assertThat(new StatusUtil(scratch).getHighestLevel(0)).as("logback's status: %s",
                    scratch.getStatusManager().getCopyOfStatusList()).isLessThan(Status.WARN);
        } finally {
            scratch.stop();
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        configure(context);
    }

    private static void configure(LoggerContext context) throws JoranException {
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(JsonLogsTest.class.getResource("/logback.xml"));
    }
}
