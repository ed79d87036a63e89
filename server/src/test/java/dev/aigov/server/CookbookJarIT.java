package dev.aigov.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.aigov.catalog.CatalogFile;
import dev.aigov.core.UseCase;
import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.testing.BufCurl;
import dev.aigov.server.testing.Command;
import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import dev.aigov.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar users run, driven as the README drives it (failsafe runs this after the jar is packaged).
 * {@code server/target/aigov-server.jar} is started with {@code java -jar} in a fresh folder, so its
 * embedded PostgreSQL lives in that folder's {@code .aigov/}; its tokens are minted with its own
 * {@code token} commands; and every command of the README's cookbook is replayed as written, the
 * grpcurl ones with {@code buf curl} (an independent gRPC client that knows nothing of aigov but what
 * server reflection tells it), translated mechanically by {@link BufCurl#fromGrpcurl}, the curl ones
 * (the Connect port, and its AuthZEN endpoint) with curl itself. Each answer's
 * fields are held to what the README shows and promises; so are the errors' {@code google.rpc.ErrorInfo},
 * decoded with the descriptor the server's reflection serves (as grpcurl decodes it to print it), the
 * health service and reflection. One difference from the README, said here: the server listens on a
 * free loopback port ({@code AIGOV_GRPC_PORT}, {@code AIGOV_GRPC_BIND}) that replaces 50051 in every
 * command, its HTTP port is another free one that replaces 8080, and its metrics port is off, so that the test collides with nothing on the machine.
 */
class CookbookJarIT {
    private static final String COOKBOOK = "Cookbook: grpcurl against the running server";
    private static final String JAR_COMMAND = "java -jar server/target/aigov-server.jar ";
    /** Where the README's curl commands call the Connect port. */
    private static final String README_HTTP = "http://localhost:8080/";
    private static final Pattern CAPTURE = Pattern.compile("^([A-Z_]+)=\\$\\((.*) \\| tail -n 1\\)$");
    /** What the start takes at most: initialising the embedded PostgreSQL and migrating (seconds on the 2-core machine). */
    private static final Duration START_BOUND = Duration.ofMinutes(2);
    private static final Duration JAR_COMMAND_BOUND = Duration.ofMinutes(1);
    /**
     * A revoked token is refused within the staleness bound (README: up to 1 s); the poll adds the
     * time a buf process takes to start and call on a loaded machine.
     */
    private static final Duration REVOCATION_BOUND = HotPathConfig.DEFAULT.maxStaleness().plusSeconds(9);
    private static final Set<String> SERVICES = Set.of("aigov.v1.AuditService", "aigov.v1.DecisionService",
            "aigov.v1.EvidenceService", "aigov.v1.ExecutionControlService", "aigov.v1.WorkspacePolicyService", "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");
    /** The README's capability table's methods, and those any token may call (ListUseCases, the evidence service's). */
    private static final Set<String> AIGOV_METHODS = Set.of("aigov.v1.DecisionService/EvaluateAiRequest",
            "aigov.v1.DecisionService/ListUseCases", "aigov.v1.WorkspacePolicyService/GetWorkspacePolicy",
            "aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", "aigov.v1.ExecutionControlService/GetExecutionControl",
            "aigov.v1.ExecutionControlService/ListExecutionControlHistory", "aigov.v1.ExecutionControlService/SetExecutionControl",
            "aigov.v1.AuditService/ListAuditEvents", "aigov.v1.WorkspacePolicyService/PreviewWorkspacePolicyChange",
            "aigov.v1.ExecutionControlService/PreviewExecutionControlChange", "aigov.v1.AuditService/ExportAuditEvents",
            "aigov.v1.EvidenceService/GetCheckpoint", "aigov.v1.EvidenceService/ListSigningKeys");

    @TempDir
    static Path folder;
    private static Path jar;
    private static BufCurl buf;
    private static ServerProcess server;

    @BeforeAll
    static void startTheJarInAFreshFolder() {
        jar = RepositoryFiles.root().resolve("server/target/aigov-server.jar");
        assertThat(jar).as("the shaded jar (./mvnw package builds it)").isRegularFile();
        buf = BufCurl.installed();
        server = ServerProcess.startJar(jar, folder);
        String listening = server.awaitLogLine("aigov listening on ", START_BOUND);
        // "It logs one line saying where it listens (port 50051) and which database it uses."
        assertThat(listening).contains("aigov listening on 127.0.0.1:" + server.port() + " (plaintext)",
                "database: embedded PostgreSQL at " + folder.resolve(".aigov/pgdata"));
    }

    @AfterAll
    static void stopIt() {
        if (server != null) {
            server.stop(); // SIGTERM, and the wait for its exit
            assertThat(server.log()).as("a clean stop on SIGTERM").contains("aigov stopped");
        }
    }

    @Test
    void onANewMachineTheEmbeddedDatabaseIsDurableAndClosed() throws Exception {
        assertThat(server.log()).contains("Embedded PostgreSQL running in " + folder.resolve(".aigov/pgdata")).contains("fsync on")
                .doesNotContain("WARN");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(".aigov/credentials.properties"))))
                .as("the roles' passwords, readable by you only").isEqualTo("rw-------");
    }

    /**
     * The jar serves the Connect port too (its Netty shaded in with it): a call without a token is
     * refused over HTTP/JSON as over gRPC, 401 with the ErrorInfo.
     */
    @Test
    void theJarServesTheApiOverHttpJson() throws Exception {
        assertThat(server.log()).contains("Connect (HTTP/JSON) on port " + server.httpPort());
        java.net.http.HttpResponse<String> refused = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create("http://127.0.0.1:" + server.httpPort() + "/aigov.v1.DecisionService/ListUseCases"))
                .timeout(JAR_COMMAND_BOUND).header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers
                        .ofString("{}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
        JsonNode error = BufCurl.parse(refused.body());
        assertThat(error.path("code").asText()).isEqualTo("unauthenticated");
        assertThat(error.path("details").get(0).path("type").asText()).isEqualTo("google.rpc.ErrorInfo");
        assertThat(error.path("details").get(0).path("debug").path("domain").asText()).isEqualTo("aigov");
    }

    @Test
    void healthAndReflectionAnswerWithoutAToken() {
        // Liveness ("") while the process serves; readiness for each aigov service while its database and state are current.
        assertThat(status(Optional.empty())).isEqualTo("SERVING");
        for (String service : SERVICES.stream().filter(name -> name.startsWith("aigov.v1.")).toList()) {
            assertThat(status(Optional.of(service))).as(service).isEqualTo("SERVING");
        }
        Command.Result unknown =
                buf.call(server.port(), "grpc.health.v1.Health/Check", Optional.empty(), "{\"service\": \"aigov.v1.Nothing\"}");
        assertThat(unknown.exitCode()).as("NOT_FOUND (5) times 8").isEqualTo(5 * 8);
        assertThat(BufCurl.parse(unknown.err()).path("code").asText()).isEqualTo("not_found");

        assertThat(lines(buf.run(List.of("curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-services",
                "http://localhost:" + server.port())).succeeded())).containsExactlyInAnyOrderElementsOf(SERVICES);
        Set<String> methods = lines(buf.run(List.of("curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-methods",
                "http://localhost:" + server.port())).succeeded());
        assertThat(methods.stream().filter(method -> method.startsWith("aigov.v1."))).containsExactlyInAnyOrderElementsOf(AIGOV_METHODS);
        // The contract's error vocabulary is served too: what a client needs to decode every error's details.
        for (String service : SERVICES.stream().filter(name -> name.startsWith("aigov.v1.")).toList()) {
            assertThat(buf.reflectedFile(server.port(), service).getDependencies().stream().map(Descriptors.FileDescriptor::getName))
                    .as(service).contains("aigov/v1/error_reason.proto");
        }
        assertThat(buf.reflectedFile(server.port(), "google.rpc.ErrorInfo").findMessageTypeByName("ErrorInfo")).isNotNull();
    }

    @Test
    void everyCookbookCommandWorksAsWrittenAgainstTheJar() throws Exception {
        List<String> commands = cookbookCommands();
        int tokenManagement = commands.indexOf(commands.stream().filter(c -> c.startsWith(JAR_COMMAND + "token list")).findFirst()
                .orElseThrow(() -> new AssertionError("the cookbook no longer lists its tokens")));
        Map<String, String> variables = new LinkedHashMap<>();
        Map<String, List<String>> outputs = new HashMap<>();
        for (String command : commands.subList(0, tokenManagement)) {
            run(command, variables, outputs);
        }
        assertThat(variables.keySet()).containsExactly("SIBLING", "WS_ADMIN", "OPS");
        holdTheAnswersToTheReadme(commands, outputs);
        // The errors use the cookbook's tokens, so they come before its last block revokes them.
        everyErrorCarriesOneErrorInfoThatReflectionDecodes(commands, variables);

        for (String command : commands.subList(tokenManagement, commands.size())) {
            run(command, variables, outputs);
        }
        holdTheTokenCommandsToTheReadme(commands, variables, outputs);
    }

    private void holdTheAnswersToTheReadme(List<String> commands, Map<String, List<String>> outputs) throws Exception {
        assertThat(lines(only(outputs, "list"))).containsExactlyInAnyOrderElementsOf(SERVICES);

        // describe: the message of the cookbook's evaluations has every field they set.
        FileDescriptorProto described = BufCurl.fileDescriptorProto(
                BufCurl.parse(only(outputs, "describe")).path("fileDescriptorResponse").path("fileDescriptorProto").path(0).asText());
        DescriptorProto request = described.getMessageTypeList().stream().filter(m -> m.getName().equals("EvaluateAiRequestRequest"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("describe did not serve EvaluateAiRequestRequest: " + described.getName()));
        Set<String> fieldsSet = new TreeSet<>();
        for (String command : commands) {
            if (command.endsWith("aigov.v1.DecisionService/EvaluateAiRequest")) {
                BufCurl.parse(dataOf(command)).fieldNames().forEachRemaining(fieldsSet::add);
            }
        }
        assertThat(request.getFieldList().stream().map(FieldDescriptorProto::getName)).containsAll(fieldsSet);

        assertThat(json(only(outputs, "grpc.health.v1.Health/Check")).path("status").asText()).isEqualTo("SERVING");

        // The catalog of approved use cases is the jar's built-in one (no AIGOV_CATALOG_FILE).
        JsonNode useCases = json(only(outputs, "aigov.v1.DecisionService/ListUseCases")).path("useCases");
        List<UseCase> catalog = CatalogFile.builtIn().catalog().useCases();
        assertThat(useCases).hasSize(catalog.size());
        for (int i = 0; i < catalog.size(); i++) {
            UseCase expected = catalog.get(i);
            JsonNode answered = useCases.get(i);
            assertThat(answered.path("key").asText()).isEqualTo(expected.key());
            assertThat(answered.path("sourceFamily").asText()).isEqualTo(expected.sourceFamily());
            assertThat(answered.path("tenantContextPermitted").asBoolean()).isEqualTo(expected.tenantContextPermitted());
            assertThat(texts(answered.path("providerClasses")))
                    .containsExactlyInAnyOrderElementsOf(
                            expected.providerClasses().stream().map(p -> "PROVIDER_CLASS_" + p.name()).toList());
            assertThat(texts(answered.path("dataClassifications"))).containsExactlyInAnyOrderElementsOf(
                    expected.dataClassifications().stream().map(d -> "DATA_CLASSIFICATION_" + d.name()).toList());
            assertThat(answered.path("description").asText()).isEqualTo(expected.description());
        }

        // "Check one as the server would at start (it prints the version the server will report), and run its test suite."
        assertThat(only(outputs, "catalog check").strip()).isEqualTo("ok: 2 use cases, version "
                + CatalogFile.builtIn().catalog().version().describe());
        assertThat(json(only(outputs, "aigov.v1.DecisionService/ListUseCases")).path("catalog").path("digest").asText())
                .as("the version the server reports").isEqualTo(CatalogFile.builtIn().catalog().version().digest());
        assertThat(only(outputs, "catalog test").strip()).isEqualTo("catalog test: 12 cases, 12 passed, 0 failed");

        // acme set to private_only, and read back.
        JsonNode set = json(only(outputs, "aigov.v1.WorkspacePolicyService/SetWorkspacePolicy"));
        JsonNode policy = set.path("policy");
        assertThat(set.path("changed").asBoolean()).isTrue();
        assertThat(policy.path("workspaceId").asText()).isEqualTo("acme");
        assertThat(policy.path("policyMode").asText()).isEqualTo("POLICY_MODE_PRIVATE_ONLY");
        assertThat(policy.path("version").asText()).isEqualTo("1");
        assertThat(policy.path("reason").asText()).isEqualTo("pilot approved");
        assertThat(policy.path("updatedBy").asText()).as("the token's name").isEqualTo("acme-admin");
        assertThat(json(only(outputs, "aigov.v1.WorkspacePolicyService/GetWorkspacePolicy")).path("policy")).isEqualTo(policy);

        // "This one is allowed", and "this one is blocked, with every reason".
        List<JsonNode> decisions =
                all(outputs, "aigov.v1.DecisionService/EvaluateAiRequest", 2).stream().map(d -> d.path("decision")).toList();
        JsonNode allow = decisions.get(0);
        assertThat(allow.path("outcome").asText()).isEqualTo("OUTCOME_ALLOW");
        assertThat(allow.has("reason")).as("an ALLOW has no block reason").isFalse();
        assertThat(allow.path("effectivePolicyMode").asText()).isEqualTo("POLICY_MODE_PRIVATE_ONLY");
        assertThat(allow.path("policyVersion").asText()).isEqualTo(policy.path("version").asText());
        assertThat(allow.path("executionState").asText()).isEqualTo("CONTROL_STATE_ENABLED");
        JsonNode block = decisions.get(1);
        assertThat(block.path("outcome").asText()).isEqualTo("OUTCOME_BLOCK");
        assertThat(block.path("reason").asText()).isEqualTo("BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED");
        assertThat(texts(block.path("allReasons"))).containsExactly("BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED",
                "BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED");
        assertThat(texts(block.path("rejectedClassifications"))).containsExactly("DATA_CLASSIFICATION_PERSONAL_DATA");
        for (JsonNode decision : decisions) {
            UUID.fromString(decision.path("decisionId").asText());
            UUID.fromString(decision.path("auditEventId").asText());
        }

        // The preview of acme's pause, before it: of acme's two decisions, the ALLOW would be paused.
        JsonNode preview = json(only(outputs, "aigov.v1.ExecutionControlService/PreviewExecutionControlChange")).path("preview");
        assertThat(preview.path("decisionsReplayed").asText()).isEqualTo("2");
        assertThat(preview.path("allowToBlock").asText()).isEqualTo("1");
        assertThat(preview.has("blockToAllow")).as("no BLOCK to ALLOW").isFalse();
        assertThat(preview.path("buckets")).hasSize(1);
        JsonNode bucket = preview.path("buckets").get(0);
        assertThat(bucket.path("useCase").asText()).isEqualTo("product_knowledge.answer_draft");
        assertThat(bucket.path("callerSurface").asText()).isEqualTo("help-panel");
        assertThat(bucket.path("newReason").asText()).isEqualTo("BLOCK_REASON_AI_EXECUTION_PAUSED");
        assertThat(texts(bucket.path("sampleDecisionIds"))).containsExactly(allow.path("decisionId").asText());

        // Pause acme, read it, resume it; then the global stop and its resume.
        List<JsonNode> sets = all(outputs, "aigov.v1.ExecutionControlService/SetExecutionControl", 4).stream().map(s -> s.path("control"))
                .toList();
        expectControl(sets.get(0), "acme", "CONTROL_STATE_PAUSED", "INC-1234: investigating", 1);
        expectControl(sets.get(1), "acme", "CONTROL_STATE_ENABLED", null, 2); // a resume clears the pause's reason
        expectControl(sets.get(2), null, "CONTROL_STATE_PAUSED", "INC-1235: provider incident", 1);
        expectControl(sets.get(3), null, "CONTROL_STATE_ENABLED", null, 2);
        JsonNode read = json(only(outputs, "aigov.v1.ExecutionControlService/GetExecutionControl"));
        assertThat(read.path("control")).isEqualTo(sets.get(0));
        assertThat(read.path("effectiveState").asText()).isEqualTo("CONTROL_STATE_PAUSED");
        assertThat(json(only(outputs, "aigov.v1.ExecutionControlService/ListExecutionControlHistory")).path("changes"))
                .as("every change, newest first").containsExactly(sets.get(3), sets.get(2), sets.get(1), sets.get(0));

        // "The same call" over HTTP/JSON: the same decision (a decision of its own, on the same policy), in the same JSON.
        JsonNode overHttp = json(only(outputs, "curl aigov.v1.DecisionService/EvaluateAiRequest")).path("decision");
        assertThat(overHttp.path("outcome").asText()).isEqualTo("OUTCOME_ALLOW");
        assertThat(overHttp.path("policyVersion")).isEqualTo(allow.path("policyVersion"));
        assertThat(overHttp.path("effectivePolicyMode")).isEqualTo(allow.path("effectivePolicyMode"));
        assertThat(overHttp.path("decisionId").asText()).isNotEqualTo(allow.path("decisionId").asText());
        // The same question in AuthZEN's shape: true, and the decision in its context by the .proto's field names.
        List<JsonNode> authZen = all(outputs, "curl access/v1/evaluation", 2);
        assertThat(authZen.get(0).path("decision").isBoolean()).isTrue();
        assertThat(authZen.get(0).path("decision").asBoolean()).isTrue();
        JsonNode authZenAllow = authZen.get(0).path("context");
        assertThat(authZenAllow.path("outcome").asText()).isEqualTo("OUTCOME_ALLOW");
        assertThat(authZenAllow.path("policy_version").asText()).isEqualTo(allow.path("policyVersion").asText());
        assertThat(authZenAllow.path("effective_policy_mode").asText()).isEqualTo("POLICY_MODE_PRIVATE_ONLY");
        // acme paused over HTTP/JSON (versions 3 and 4, after the two over gRPC): the question again is false, paused first.
        List<JsonNode> httpSets = all(outputs, "curl aigov.v1.ExecutionControlService/SetExecutionControl", 2).stream()
                .map(s -> s.path("control")).toList();
        expectControl(httpSets.get(0), "acme", "CONTROL_STATE_PAUSED", "INC-1236: over HTTP", 3);
        expectControl(httpSets.get(1), "acme", "CONTROL_STATE_ENABLED", null, 4);
        JsonNode authZenBlock = authZen.get(1).path("context");
        assertThat(authZen.get(1).path("decision").asBoolean(true)).isFalse();
        assertThat(authZenBlock.path("outcome").asText()).isEqualTo("OUTCOME_BLOCK");
        assertThat(authZenBlock.path("reason").asText()).isEqualTo("BLOCK_REASON_AI_EXECUTION_PAUSED");
        assertThat(authZenBlock.path("execution_state").asText()).isEqualTo("CONTROL_STATE_PAUSED");

        // The audit trail, newest first: acme's ten newest events (page_size 10); then the two blocked decisions.
        List<JsonNode> listed = all(outputs, "aigov.v1.AuditService/ListAuditEvents", 2);
        List<JsonNode> acme = StreamSupport.stream(listed.get(0).path("events").spliterator(), false).toList();
        assertThat(acme.stream().map(e -> e.path("kind").asText())).containsExactly("AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET",
                "AUDIT_EVENT_KIND_AI_DECISION", "AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET", "AUDIT_EVENT_KIND_AI_DECISION",
                "AUDIT_EVENT_KIND_AI_DECISION", "AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET", "AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET",
                "AUDIT_EVENT_KIND_CHANGE_PREVIEWED", "AUDIT_EVENT_KIND_AI_DECISION", "AUDIT_EVENT_KIND_AI_DECISION");
        // The decisions over HTTP (Connect, then AuthZEN's two) are audited as the gRPC one is, under the same token's name.
        JsonNode allowEvent = acme.get(9);
        assertThat(acme.get(4).path("decision").path("decisionId").asText()).isEqualTo(overHttp.path("decisionId").asText());
        assertThat(acme.get(3).path("decision").path("decisionId").asText()).isEqualTo(authZenAllow.path("decision_id").asText());
        assertThat(acme.get(3).path("eventId").asText()).isEqualTo(authZenAllow.path("audit_event_id").asText());
        assertThat(acme.get(1).path("decision").path("decisionId").asText()).isEqualTo(authZenBlock.path("decision_id").asText());
        assertThat(acme.get(1).path("decision").path("outcome").asText()).isEqualTo("OUTCOME_BLOCK");
        for (int i : new int[]{1, 3, 4}) {
            assertThat(acme.get(i).path("principal")).isEqualTo(allowEvent.path("principal"));
            assertThat(acme.get(i).path("callerSurface").asText()).isEqualTo("help-panel");
        }
        assertThat(acme).allSatisfy(event -> assertThat(event.path("workspaceId").asText()).isEqualTo("acme"));
        assertThat(acme.stream().map(e -> e.path("occurredAt").asText()).toList()).isSortedAccordingTo((a, b) -> b.compareTo(a));
        assertThat(acme.get(8).path("eventId").asText()).isEqualTo(block.path("auditEventId").asText());
        assertThat(acme.get(7).path("changePreview").path("allowToBlock").asText()).as("the preview's own event")
                .isEqualTo(preview.path("allowToBlock").asText());
        assertThat(allowEvent.path("eventId").asText()).isEqualTo(allow.path("auditEventId").asText());
        assertThat(allowEvent.path("decision").path("decisionId").asText()).isEqualTo(allow.path("decisionId").asText());
        assertThat(allowEvent.path("callerSurface").asText()).isEqualTo("help-panel");
        assertThat(acme.get(5).path("controlChange").path("reason").asText()).as("a resume's reason is kept in its audit event")
                .isEqualTo("INC-1234 resolved");
        assertThat(acme.get(0).path("controlChange").path("reason").asText()).isEqualTo("INC-1236 resolved");
        JsonNode blocked = listed.get(1).path("events");
        assertThat(blocked).hasSize(2);
        assertThat(blocked.get(0).path("eventId").asText()).isEqualTo(authZenBlock.path("audit_event_id").asText());
        assertThat(blocked.get(1).path("eventId").asText()).isEqualTo(block.path("auditEventId").asText());
        assertThat(blocked).allSatisfy(event -> assertThat(event.path("decision").path("outcome").asText()).isEqualTo("OUTCOME_BLOCK"));
    }

    /**
     * "Every error carries one google.rpc.ErrorInfo (domain aigov, a reason from aigov.v1.ErrorReason,
     * and the offending field in its metadata); grpcurl prints it": the README's errors a caller can
     * cause, from the cookbook's own requests and tokens, each decoded with what reflection serves.
     */
    private void everyErrorCarriesOneErrorInfoThatReflectionDecodes(List<String> commands, Map<String, String> tokens) {
        Descriptors.Descriptor errorInfo = buf.reflectedFile(server.port(), "google.rpc.ErrorInfo").findMessageTypeByName("ErrorInfo");
        String allowed = dataOf(commands.stream().filter(c -> c.contains("\"caller_surface\"")).findFirst().orElseThrow());
        ObjectNode noClassifications = (ObjectNode) BufCurl.parse(allowed);
        noClassifications.remove("data_classifications");
        String pause = dataOf(commands.stream().filter(c -> c.contains("INC-1234: investigating")).findFirst().orElseThrow());

        expectError(errorInfo, "aigov.v1.DecisionService/EvaluateAiRequest", tokens.get("SIBLING"), noClassifications.toString(),
                3, "invalid_argument", "ERROR_REASON_INVALID_FIELD", Map.of("field", "data_classifications"));
        expectError(errorInfo, "aigov.v1.DecisionService/EvaluateAiRequest", null, allowed,
                16, "unauthenticated", "ERROR_REASON_MISSING_CREDENTIAL", Map.of("header", "authorization"));
        expectError(errorInfo, "aigov.v1.ExecutionControlService/SetExecutionControl", tokens.get("SIBLING"), pause,
                7, "permission_denied", "ERROR_REASON_MISSING_CAPABILITY", Map.of("capability", "ops.controls.manage"));
        expectError(errorInfo, "aigov.v1.WorkspacePolicyService/GetWorkspacePolicy", tokens.get("WS_ADMIN"),
                "{\"workspace_id\": \"contoso\"}",
                7, "permission_denied", "ERROR_REASON_WORKSPACE_NOT_PERMITTED", Map.of("field", "workspace_id"));
        expectError(errorInfo, "aigov.v1.ExecutionControlService/GetExecutionControl", tokens.get("OPS"),
                "{\"control_key\": \"ai.training\"}",
                5, "not_found", "ERROR_REASON_UNKNOWN_CONTROL_KEY", Map.of("field", "control_key"));
        expectError(errorInfo, "aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", tokens.get("WS_ADMIN"),
                "{\"workspace_id\": \"acme\", \"policy_mode\": \"POLICY_MODE_DISABLED\", \"reason\": \"stale read\", \"expected_version\": 7}",
                10, "aborted", "ERROR_REASON_VERSION_CONFLICT", Map.of("current_version", "1"));
        String requestId = UUID.randomUUID().toString();
        buf.call(server.port(), "aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", Optional.of(tokens.get("WS_ADMIN")),
                "{\"workspace_id\": \"acme\", \"policy_mode\": \"POLICY_MODE_PRIVATE_ONLY\", \"reason\": \"pilot approved\", \"request_id\": \""
                        + requestId + "\"}")
                .succeeded();
        expectError(errorInfo, "aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", tokens.get("WS_ADMIN"),
                "{\"workspace_id\": \"acme\", \"policy_mode\": \"POLICY_MODE_DISABLED\", \"reason\": \"another\", \"request_id\": \""
                        + requestId + "\"}",
                6, "already_exists", "ERROR_REASON_REQUEST_ID_REUSED", Map.of("field", "request_id"));
    }

    private void holdTheTokenCommandsToTheReadme(List<String> commands, Map<String, String> tokens, Map<String, List<String>> outputs) {
        // token list: each cookbook token, under its name, with the workspaces and capabilities it was minted with.
        Map<String, List<String>> rows = new HashMap<>();
        for (String row : only(outputs, "token list").strip().lines().toList()) {
            List<String> cells = List.of(row.strip().split("\\s+"));
            rows.put(cells.get(0), cells);
        }
        for (String command : commands) {
            Matcher capture = CAPTURE.matcher(command);
            if (capture.matches()) {
                List<String> words = words(capture.group(2).substring(JAR_COMMAND.length()), Map.of());
                List<String> row = rows.get(optionValues(words, "--name").get(0));
                assertThat(row).as("token list shows " + command).isNotNull();
                assertThat(tokens.get(capture.group(1))).as("the token, shown by its first 12 characters")
                        .startsWith(row.get(1).replace("…", ""));
                List<String> workspaces = optionValues(words, "--workspace");
                assertThat(row.get(3)).isEqualTo(workspaces.isEmpty() ? "*" : String.join(",", workspaces));
                assertThat(row.get(4)).isEqualTo(String.join(",", new TreeSet<>(optionValues(words, "--capability"))));
            }
        }
        assertThat(outputs.getOrDefault("token revoke", List.of()).stream().map(String::strip)).containsExactly(
                "Revoked token 'helpdesk-service'.",
                "Revoked token 'acme-admin'.", "Revoked token 'ops-oncall'.");

        // A revoked token is refused within the staleness bound.
        String anyCall = "aigov.v1.DecisionService/ListUseCases";
        for (String token : tokens.values()) {
            long deadline = System.nanoTime() + REVOCATION_BOUND.toNanos();
            Command.Result answer = buf.call(server.port(), anyCall, Optional.of(token), "{}");
            while (answer.exitCode() == 0 && System.nanoTime() < deadline) {
                answer = buf.call(server.port(), anyCall, Optional.of(token), "{}");
            }
            assertThat(answer.exitCode()).as("a revoked token, within %s: %s", REVOCATION_BOUND, answer.out()).isEqualTo(16 * 8);
            assertThat(BufCurl.parse(answer.err()).path("code").asText()).isEqualTo("unauthenticated");
        }

        // "Revoking the three cookbook tokens also lets you run the cookbook again on the same ./.aigov."
        Matcher first = CAPTURE.matcher(commands.get(0));
        assertThat(first.matches()).as("the cookbook starts by minting a token: " + commands.get(0)).isTrue();
        List<String> again = runJar(first.group(2), Map.of()).strip().lines().toList();
        buf.call(server.port(), anyCall, Optional.of(again.get(again.size() - 1)), "{}").succeeded();
    }

    private void expectError(Descriptors.Descriptor errorInfo, String method, String token, String json, int code, String codeName,
            String reason, Map<String, String> metadata) {
        Command.Result answer = buf.call(server.port(), method, Optional.ofNullable(token), json);
        String what = method + " " + json;
        assertThat(answer.exitCode()).as("%s: buf's exit code is the gRPC code (%d) times 8; it printed %s%s", what, code, answer.out(),
                answer.err()).isEqualTo(code * 8);
        JsonNode error = BufCurl.parse(answer.err());
        assertThat(error.path("code").asText()).as(what).isEqualTo(codeName);
        assertThat(error.path("message").asText()).as(what).isNotBlank();
        JsonNode details = error.path("details");
        assertThat(details).as("%s: exactly one detail", what).hasSize(1);
        assertThat(details.get(0).path("type").asText()).isEqualTo("google.rpc.ErrorInfo");
        JsonNode decoded;
        try {
            DynamicMessage info = DynamicMessage.parseFrom(errorInfo, Base64.getDecoder().decode(details.get(0).path("value").asText()));
            decoded = BufCurl.parse(JsonFormat.printer().print(info));
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(what + ": the detail is no ErrorInfo", e);
        }
        assertThat(decoded.path("domain").asText()).as(what).isEqualTo("aigov");
        assertThat(decoded.path("reason").asText()).as(what).isEqualTo(reason);
        Map<String, String> actual = new HashMap<>();
        decoded.path("metadata").properties().forEach(entry -> actual.put(entry.getKey(), entry.getValue().asText()));
        assertThat(actual).as(what).containsAllEntriesOf(metadata);
    }

    private static void expectControl(JsonNode control, String workspace, String state, String reason, int version) {
        assertThat(control.path("controlKey").asText()).isEqualTo("ai.execution");
        assertThat(control.has("workspaceId") ? control.path("workspaceId").asText() : null).isEqualTo(workspace);
        assertThat(control.path("state").asText()).isEqualTo(state);
        assertThat(control.has("reason") ? control.path("reason").asText() : null).isEqualTo(reason);
        assertThat(control.path("version").asText()).isEqualTo(Integer.toString(version));
        assertThat(control.path("changedBy").asText()).isEqualTo("ops-oncall");
    }

    /** Runs one cookbook line: a token command through the jar, or a grpcurl command as buf curl. */
    private void run(String command, Map<String, String> variables, Map<String, List<String>> outputs) {
        Matcher capture = CAPTURE.matcher(command);
        if (capture.matches()) {
            List<String> lines = runJar(capture.group(2), variables).strip().lines().toList();
            variables.put(capture.group(1), lines.get(lines.size() - 1));
        } else if (command.startsWith(JAR_COMMAND)) {
            List<String> words = words(command.substring(JAR_COMMAND.length()), variables);
            outputs.computeIfAbsent(words.get(0) + " " + words.get(1), key -> new ArrayList<>()).add(runJar(command, variables));
        } else if (command.startsWith("grpcurl ")) {
            List<String> words = words(command.substring("grpcurl ".length()), variables);
            Command.Result answer = buf.run(BufCurl.fromGrpcurl(words, server.port()));
            assertThat(answer.exitCode()).as("%s\n(buf %s)\n%s", command, BufCurl.fromGrpcurl(words, server.port()), answer.err()).isZero();
            String last = words.get(words.size() - 1);
            String key = words.get(words.size() - 2).equals("describe") ? "describe" : last;
            outputs.computeIfAbsent(key, k -> new ArrayList<>()).add(answer.out());
        } else if (command.startsWith("curl ")) {
            // The Connect port: the README's localhost:8080 is the jar's free HTTP port; curl itself runs the call.
            List<String> words = new ArrayList<>(words(command.substring("curl ".length()), variables));
            String url = words.get(words.size() - 1);
            assertThat(url).as(command).startsWith(README_HTTP);
            words.set(words.size() - 1, "http://localhost:" + server.httpPort() + "/" + url.substring(README_HTTP.length()));
            List<String> curl = new ArrayList<>(List.of("curl", "--fail-with-body"));
            curl.addAll(words);
            outputs.computeIfAbsent("curl " + url.substring(README_HTTP.length()), k -> new ArrayList<>())
                    .add(Command.run(curl, folder, Map.of(), JAR_COMMAND_BOUND).succeeded());
        } else {
            throw new AssertionError("the cookbook has a command this test does not know how to run: " + command);
        }
    }

    /** {@code java -jar <the jar> ...} in the server's folder, as the README runs it from its own. */
    private static String runJar(String command, Map<String, String> variables) {
        List<String> args = new ArrayList<>(List.of(ServerProcess.javaCommand(), "-jar", jar.toString()));
        List<String> words = words(command.substring(JAR_COMMAND.length()), variables);
        // A file of the repository the command names (a catalog, its tests), where the README's reader has it: at the same path.
        for (String word : words) {
            Path named = RepositoryFiles.root().resolve(word);
            if (!word.startsWith("-") && word.contains("/") && Files.isRegularFile(named) && !Files.exists(folder.resolve(word))) {
                try {
                    Files.createDirectories(folder.resolve(word).getParent());
                    Files.copy(named, folder.resolve(word));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        args.addAll(words);
        return Command.run(args, folder, Map.of(), JAR_COMMAND_BOUND).succeeded();
    }

    private static String status(Optional<String> service) {
        String json = service.map(name -> "{\"service\": \"" + name + "\"}").orElse("{}");
        return BufCurl.parse(buf.call(server.port(), "grpc.health.v1.Health/Check", Optional.empty(), json).succeeded()).path("status")
                .asText();
    }

    private static String only(Map<String, List<String>> outputs, String key) {
        List<String> found = outputs.getOrDefault(key, List.of());
        assertThat(found).as("the cookbook's answers to %s", key).hasSize(1);
        return found.get(0);
    }

    private static List<JsonNode> all(Map<String, List<String>> outputs, String key, int expected) {
        List<String> found = outputs.getOrDefault(key, List.of());
        assertThat(found).as("the cookbook's answers to %s", key).hasSize(expected);
        return found.stream().map(CookbookJarIT::json).toList();
    }

    private static JsonNode json(String text) {
        return BufCurl.parse(text);
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static Set<String> lines(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The {@code -d} JSON of a grpcurl command. */
    private static String dataOf(String command) {
        List<String> words = words(command, Map.of("SIBLING", "", "WS_ADMIN", "", "OPS", ""));
        return words.get(words.indexOf("-d") + 1);
    }

    private static List<String> optionValues(List<String> words, String option) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < words.size() - 1; i++) {
            if (words.get(i).equals(option)) {
                values.add(words.get(i + 1));
            }
        }
        return values;
    }

    /** Every line of the sh blocks of the README's cookbook section. */
    private static List<String> cookbookCommands() {
        List<String> commands = new ArrayList<>();
        for (String block : Markdown.read(RepositoryFiles.root().resolve("README.md")).codeBlocks(COOKBOOK, "sh")) {
            for (String line : block.lines().toList()) {
                if (!line.isBlank()) {
                    commands.add(line.strip());
                }
            }
        }
        assertThat(commands).as("commands in the sh blocks of the README's cookbook").hasSizeGreaterThan(15);
        return commands;
    }

    /** Splits a shell command line: single quotes verbatim, double quotes and bare words with $VARIABLES expanded. */
    static List<String> words(String line, Map<String, String> variables) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int end = line.indexOf('"', i + 1);
                word.append(expand(line.substring(i + 1, end), variables));
                i = end;
                inWord = true;
            } else if (c == ' ') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                int end = line.indexOf(' ', i);
                end = end < 0 ? line.length() : end;
                word.append(expand(line.substring(i, end), variables));
                i = end - 1;
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static String expand(String text, Map<String, String> variables) {
        Matcher variable = Pattern.compile("\\$([A-Z_]+)").matcher(text);
        StringBuilder expanded = new StringBuilder();
        while (variable.find()) {
            String value = variables.get(variable.group(1));
            if (value == null) {
                throw new AssertionError("the cookbook uses $" + variable.group(1) + " before setting it");
            }
            variable.appendReplacement(expanded, Matcher.quoteReplacement(value));
        }
        variable.appendTail(expanded);
        return expanded.toString();
    }
}
