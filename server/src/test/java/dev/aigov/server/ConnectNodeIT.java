package dev.aigov.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.AuditProto;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.DecisionProto;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.ExecutionControlProto;
import dev.aigov.api.v1.GetExecutionControlRequest;
import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.ProviderClass;
import dev.aigov.api.v1.WorkspacePolicyProto;
import dev.aigov.server.testing.BufCurl;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Command;
import dev.aigov.server.testing.ConnectNode;
import dev.aigov.server.testing.RepositoryFiles;
import dev.aigov.server.testing.ServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's Connect port, called by {@code @connectrpc/connect-node} (npm, {@link ConnectNode}): a
 * Connect client written by the Connect project, which knows nothing of aigov but the descriptors it
 * is given. The shaded jar is started as the README starts it, its tokens minted with its own
 * {@code token} commands, and {@code src/test/node/connect-client.mjs} is run against its HTTP port.
 * The script builds its services at run time from a {@code FileDescriptorSet} written here (the
 * aigov.v1 services' files and every file they import, {@code google/rpc/error_details.proto}
 * with them), so no code is generated. Over each of four transports (HTTP/1.1 and HTTP/2
 * cleartext, each with JSON and with binary protobuf) it runs the cookbook's calls on a workspace of
 * its own: ListUseCases; Set and GetWorkspacePolicy; an ALLOW and a BLOCK with every reason; a
 * pause, its read, a decision it blocks, the resume and a decision it allows again; ListAuditEvents;
 * and two errors, no token and a missing field, whose {@code google.rpc.ErrorInfo} the client
 * decodes from the error's details. Each call prints one JSON line; they are held here to what the
 * README says, and, where a gRPC call gives the same answer, to what the same call answers over gRPC.
 */
class ConnectNodeIT {
    private static final Duration START_BOUND = Duration.ofMinutes(2);
    private static final Duration JAR_COMMAND_BOUND = Duration.ofMinutes(1);
    private static final Duration SCRIPT_BOUND = Duration.ofMinutes(3);
    private static final List<String> TRANSPORTS = List.of("http1.1-json", "http1.1-proto", "http2-json", "http2-proto");
    private static final List<String> STEPS = List.of("ListUseCases", "SetWorkspacePolicy", "GetWorkspacePolicy", "allow", "block",
            "pause", "GetExecutionControl", "paused", "enable", "resumed", "ListAuditEvents", "unauthenticated", "invalid", "session");
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer();

    @TempDir
    static Path folder;
    private static ServerProcess server;
    private static ManagedChannel channel;
    private static final Map<String, String> tokens = new LinkedHashMap<>();
    /** transport, then step: the script's line for it. */
    private static final Map<String, Map<String, JsonNode>> lines = new LinkedHashMap<>();
    private static Command.Result script;

    @BeforeAll
    static void runTheClientAgainstTheJar() throws IOException {
        Path jar = RepositoryFiles.root().resolve("server/target/aigov-server.jar");
        assertThat(jar).as("the shaded jar (./mvnw package builds it)").isRegularFile();
        ConnectNode connect = ConnectNode.installed();
        server = ServerProcess.startJar(jar, folder);
        server.awaitLogLine("aigov listening on ", START_BOUND);
        server.awaitLogLine("Connect (HTTP/JSON) on port " + server.httpPort(), START_BOUND);
        channel = NettyChannelBuilder.forTarget(server.target()).usePlaintext().build();
        tokens.put("SIBLING", mint("node-helpdesk", "ai.decisions.evaluate"));
        tokens.put("WS_ADMIN", mint("node-workspace-admin", "workspace.ai_policy.manage"));
        tokens.put("OPS", mint("node-ops", "ops.controls.manage", "audit.read"));

        Path descriptors = folder.resolve("aigov-v1.binpb");
        Files.write(descriptors, descriptorSet().toByteArray());
        script = connect.run(RepositoryFiles.root().resolve("server/src/test/node/connect-client.mjs"), folder.resolve("client"),
                List.of(descriptors.toString(), "http://127.0.0.1:" + server.httpPort()), tokens, SCRIPT_BOUND);
        for (String line : script.succeeded().lines().filter(line -> !line.isBlank()).toList()) {
            JsonNode parsed = BufCurl.parse(line);
            JsonNode previous = lines.computeIfAbsent(parsed.path("transport").asText(), t -> new LinkedHashMap<>())
                    .put(parsed.path("step").asText(), parsed);
            assertThat(previous).as("one line per transport and step: %s", line).isNull();
        }
    }

    @AfterAll
    static void stopIt() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.stop();
            assertThat(server.log()).as("a clean stop on SIGTERM").contains("aigov stopped");
        }
    }

    /**
     * The aigov.v1 services' files and, before each file, every file it imports (transitively), each
     * once, with every field's {@code json_name} filled in as {@code protoc --descriptor_set_out} and
     * {@code buf build} fill it. The descriptors embedded in generated Java code leave it out, and
     * {@code @bufbuild/protobuf} takes a field's JSON name from it alone: without it every field's
     * JSON name is "", and the client sends {@code {"": ...}}.
     */
    static FileDescriptorSet descriptorSet() {
        Set<FileDescriptor> ordered = new LinkedHashSet<>();
        for (FileDescriptor file : List.of(DecisionProto.getDescriptor(), WorkspacePolicyProto.getDescriptor(),
                ExecutionControlProto.getDescriptor(), AuditProto.getDescriptor())) {
            addWithDependencies(file, ordered);
        }
        FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
        for (FileDescriptor file : ordered) {
            FileDescriptorProto.Builder proto = file.toProto().toBuilder();
            for (int i = 0; i < file.getMessageTypes().size(); i++) {
                withJsonNames(file.getMessageTypes().get(i), proto.getMessageTypeBuilder(i));
            }
            set.addFile(proto);
        }
        return set.build();
    }

    private static void withJsonNames(Descriptor message, DescriptorProto.Builder proto) {
        for (int i = 0; i < message.getFields().size(); i++) {
            proto.getFieldBuilder(i).setJsonName(message.getFields().get(i).getJsonName());
        }
        for (int i = 0; i < message.getNestedTypes().size(); i++) {
            withJsonNames(message.getNestedTypes().get(i), proto.getNestedTypeBuilder(i));
        }
    }

    private static void addWithDependencies(FileDescriptor file, Set<FileDescriptor> ordered) {
        if (ordered.contains(file)) {
            return;
        }
        file.getDependencies().forEach(dependency -> addWithDependencies(dependency, ordered));
        ordered.add(file);
    }

    @Test
    void theDescriptorSetCarriesTheErrorDetailAndTheJsonNames() {
        FileDescriptorSet set = descriptorSet();
        assertThat(set.getFileList().stream().map(FileDescriptorProto::getName)).contains("google/rpc/error_details.proto",
                "aigov/v1/error_reason.proto", "aigov/v1/decision.proto", "aigov/v1/audit.proto");
        DescriptorProto request = set.getFileList().stream().filter(f -> f.getName().equals("aigov/v1/decision.proto"))
                .flatMap(f -> f.getMessageTypeList().stream()).filter(m -> m.getName().equals("EvaluateAiRequestRequest")).findFirst()
                .orElseThrow();
        assertThat(request.getFieldList()).allSatisfy(field -> assertThat(field.hasJsonName()).as(field.getName()).isTrue());
        assertThat(request.getFieldList().get(0).getJsonName()).isEqualTo("workspaceId");
    }

    @Test
    void everyTransportMadeEveryCall() {
        assertThat(script.err()).as("the script's stderr").isBlank();
        assertThat(lines.keySet()).containsExactlyElementsOf(TRANSPORTS);
        for (String transport : TRANSPORTS) {
            assertThat(lines.get(transport).keySet()).as(transport).containsExactlyElementsOf(STEPS);
        }
    }

    @Test
    void theHttp2TransportsRanOverAnHttp2Session() {
        for (String transport : TRANSPORTS) {
            JsonNode session = response(transport, "session");
            if (transport.startsWith("http2")) {
                assertThat(session.path("httpVersion").asText()).isEqualTo("2");
                // The client's session manager after the calls: connected (no stream open: idle), never "error".
                assertThat(session.path("http2State").asText()).as(transport).isIn("open", "idle");
            } else {
                assertThat(session.path("httpVersion").asText()).isEqualTo("1.1");
                assertThat(session.path("http2State").isNull()).as(transport).isTrue();
            }
        }
    }

    @Test
    void listUseCasesAnswersWhatGrpcAnswers() {
        JsonNode overGrpc = json(Clients.withToken(dev.aigov.api.v1.DecisionServiceGrpc.newBlockingStub(channel), tokens.get("SIBLING"))
                .listUseCases(ListUseCasesRequest.getDefaultInstance()));
        assertThat(overGrpc.path("useCases")).isNotEmpty();
        for (String transport : TRANSPORTS) {
            assertThat(response(transport, "ListUseCases")).as(transport).isEqualTo(overGrpc);
        }
    }

    @Test
    void theWorkspacePolicyIsSetAndReadBackAsGrpcReadsIt() {
        for (String transport : TRANSPORTS) {
            String workspace = workspace(transport);
            JsonNode set = response(transport, "SetWorkspacePolicy");
            assertThat(set.path("changed").asBoolean()).as(transport).isTrue();
            JsonNode policy = set.path("policy");
            assertThat(policy.path("workspaceId").asText()).isEqualTo(workspace);
            assertThat(policy.path("policyMode").asText()).isEqualTo("POLICY_MODE_PRIVATE_ONLY");
            assertThat(policy.path("version").asText()).as("int64 in JSON is a string").isEqualTo("1");
            assertThat(policy.path("reason").asText()).isEqualTo("pilot approved");
            assertThat(policy.path("updatedBy").asText()).as("the token's name").isEqualTo("node-workspace-admin");
            assertThat(response(transport, "GetWorkspacePolicy").path("policy")).as(transport).isEqualTo(policy);
            JsonNode overGrpc = json(Clients.withToken(dev.aigov.api.v1.WorkspacePolicyServiceGrpc.newBlockingStub(channel),
                    tokens.get("WS_ADMIN")).getWorkspacePolicy(GetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace).build()));
            assertThat(overGrpc).as(transport).isEqualTo(response(transport, "GetWorkspacePolicy"));
        }
    }

    @Test
    void anAllowAndABlockWithEveryReason() {
        for (String transport : TRANSPORTS) {
            JsonNode allow = response(transport, "allow").path("decision");
            assertThat(allow.path("outcome").asText()).as(transport).isEqualTo("OUTCOME_ALLOW");
            assertThat(allow.has("reason")).as("an ALLOW has no block reason").isFalse();
            assertThat(allow.path("effectivePolicyMode").asText()).isEqualTo("POLICY_MODE_PRIVATE_ONLY");
            assertThat(allow.path("policyVersion").asText()).isEqualTo("1");
            assertThat(allow.path("executionState").asText()).isEqualTo("CONTROL_STATE_ENABLED");
            JsonNode block = response(transport, "block").path("decision");
            assertThat(block.path("outcome").asText()).as(transport).isEqualTo("OUTCOME_BLOCK");
            assertThat(block.path("reason").asText()).isEqualTo("BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED");
            assertThat(texts(block.path("allReasons"))).containsExactly("BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED",
                    "BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED");
            assertThat(texts(block.path("rejectedClassifications"))).containsExactly("DATA_CLASSIFICATION_PERSONAL_DATA");
            for (JsonNode decision : List.of(allow, block)) {
                UUID.fromString(decision.path("decisionId").asText());
                UUID.fromString(decision.path("auditEventId").asText());
            }
        }
    }

    @Test
    void aPauseBlocksTheNextDecisionAndTheResumeAllowsAgain() {
        for (String transport : TRANSPORTS) {
            String workspace = workspace(transport);
            JsonNode pause = response(transport, "pause");
            assertThat(pause.path("changed").asBoolean()).as(transport).isTrue();
            JsonNode paused = pause.path("control");
            assertThat(paused.path("controlKey").asText()).isEqualTo("ai.execution");
            assertThat(paused.path("workspaceId").asText()).isEqualTo(workspace);
            assertThat(paused.path("state").asText()).isEqualTo("CONTROL_STATE_PAUSED");
            assertThat(paused.path("reason").asText()).isEqualTo("INC-1234: investigating");
            assertThat(paused.path("version").asText()).isEqualTo("1");
            assertThat(paused.path("changedBy").asText()).isEqualTo("node-ops");
            JsonNode read = response(transport, "GetExecutionControl");
            assertThat(read.path("control")).isEqualTo(paused);
            assertThat(read.path("effectiveState").asText()).isEqualTo("CONTROL_STATE_PAUSED");

            // The guarantee: once the pause answered OK, the next decision is a BLOCK.
            JsonNode blocked = response(transport, "paused").path("decision");
            assertThat(blocked.path("outcome").asText()).as(transport).isEqualTo("OUTCOME_BLOCK");
            assertThat(blocked.path("reason").asText()).isEqualTo("BLOCK_REASON_AI_EXECUTION_PAUSED");
            assertThat(blocked.path("executionState").asText()).isEqualTo("CONTROL_STATE_PAUSED");
            assertThat(blocked.path("controlVersion").asText()).as("the workspace's pause decided").isEqualTo("1");

            JsonNode enabled = response(transport, "enable").path("control");
            assertThat(enabled.path("state").asText()).as(transport).isEqualTo("CONTROL_STATE_ENABLED");
            assertThat(enabled.has("reason")).as("a resume clears the pause's reason").isFalse();
            assertThat(enabled.path("version").asText()).isEqualTo("2");
            JsonNode resumed = response(transport, "resumed").path("decision");
            assertThat(resumed.path("outcome").asText()).as(transport).isEqualTo("OUTCOME_ALLOW");
            assertThat(resumed.path("executionState").asText()).isEqualTo("CONTROL_STATE_ENABLED");
            // Enabled, the global control decided: never changed, version 0, which JSON leaves out.
            assertThat(resumed.has("controlVersion")).as("the global control's version 0: %s", resumed).isFalse();

            JsonNode overGrpc = json(Clients.withToken(dev.aigov.api.v1.ExecutionControlServiceGrpc.newBlockingStub(channel),
                    tokens.get("OPS")).getExecutionControl(
                            GetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                                    .setWorkspaceId(workspace).build()));
            assertThat(overGrpc.path("control")).as("what gRPC reads now: the resume").isEqualTo(enabled);
        }
    }

    @Test
    void theAuditTrailIsWhatGrpcReads() {
        for (String transport : TRANSPORTS) {
            String workspace = workspace(transport);
            JsonNode listed = response(transport, "ListAuditEvents");
            List<JsonNode> events = StreamSupport.stream(listed.path("events").spliterator(), false).toList();
            assertThat(events.stream().map(e -> e.path("kind").asText())).as("%s, newest first", transport).containsExactly(
                    "AUDIT_EVENT_KIND_AI_DECISION", "AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET", "AUDIT_EVENT_KIND_AI_DECISION",
                    "AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET", "AUDIT_EVENT_KIND_AI_DECISION", "AUDIT_EVENT_KIND_AI_DECISION",
                    "AUDIT_EVENT_KIND_WORKSPACE_POLICY_SET");
            assertThat(events).allSatisfy(event -> assertThat(event.path("workspaceId").asText()).isEqualTo(workspace));
            List<String> decided = List.of("resumed", "paused", "block", "allow");
            List<JsonNode> decisions = List.of(events.get(0), events.get(2), events.get(4), events.get(5));
            for (int i = 0; i < decided.size(); i++) {
                JsonNode decision = response(transport, decided.get(i)).path("decision");
                assertThat(decisions.get(i).path("eventId").asText()).as(decided.get(i))
                        .isEqualTo(decision.path("auditEventId").asText());
                assertThat(decisions.get(i).path("decision").path("decisionId").asText())
                        .isEqualTo(decision.path("decisionId").asText());
            }
            assertThat(events.get(5).path("callerSurface").asText()).isEqualTo("help-panel");

            // The same request over gRPC, after the script ended: the same page (the errors recorded nothing).
            JsonNode overGrpc = json(Clients.withToken(dev.aigov.api.v1.AuditServiceGrpc.newBlockingStub(channel), tokens.get("OPS"))
                    .listAuditEvents(ListAuditEventsRequest.newBuilder().setWorkspaceId(workspace).setPageSize(20).build()));
            assertThat(overGrpc).as(transport).isEqualTo(listed);
        }
    }

    @Test
    void errorsAreConnectErrorsWithTheErrorInfoDecoded() {
        EvaluateAiRequestRequest allowed = EvaluateAiRequestRequest.newBuilder().setWorkspaceId(workspace(TRANSPORTS.get(0)))
                .setUseCase("product_knowledge.answer_draft").setProviderClass(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_PRODUCT_KNOWLEDGE).setSourceFamily("product_knowledge")
                .setActor(Actor.newBuilder().setId("user-42").setKind(ActorKind.ACTOR_KIND_USER)).setCallerSurface("help-panel").build();
        JsonNode unauthenticatedOverGrpc = errorInfoOverGrpc(null, allowed, Status.Code.UNAUTHENTICATED);
        JsonNode invalidOverGrpc =
                errorInfoOverGrpc(tokens.get("SIBLING"), allowed.toBuilder().clearDataClassifications().build(),
                        Status.Code.INVALID_ARGUMENT);
        for (String transport : TRANSPORTS) {
            JsonNode unauthenticated = error(transport, "unauthenticated");
            assertThat(unauthenticated.path("code").asInt()).as(transport).isEqualTo(16);
            assertThat(unauthenticated.path("codeName").asText()).isEqualTo("Unauthenticated");
            assertThat(unauthenticated.path("message").asText()).isNotBlank();
            JsonNode info = onlyErrorInfo(transport, unauthenticated);
            assertThat(info.path("domain").asText()).isEqualTo("aigov");
            assertThat(info.path("reason").asText()).isEqualTo("ERROR_REASON_MISSING_CREDENTIAL");
            assertThat(info.path("metadata").path("header").asText()).isEqualTo("authorization");
            assertThat(info).as("the ErrorInfo gRPC carries").isEqualTo(unauthenticatedOverGrpc);

            JsonNode invalid = error(transport, "invalid");
            assertThat(invalid.path("code").asInt()).as(transport).isEqualTo(3);
            assertThat(invalid.path("codeName").asText()).isEqualTo("InvalidArgument");
            assertThat(invalid.path("message").asText()).as("the message names the field").contains("data_classifications");
            JsonNode invalidInfo = onlyErrorInfo(transport, invalid);
            assertThat(invalidInfo.path("domain").asText()).isEqualTo("aigov");
            assertThat(invalidInfo.path("reason").asText()).isEqualTo("ERROR_REASON_INVALID_FIELD");
            assertThat(invalidInfo.path("metadata").path("field").asText()).isEqualTo("data_classifications");
            assertThat(invalidInfo).as("the ErrorInfo gRPC carries").isEqualTo(invalidOverGrpc);
        }
    }

    private static JsonNode errorInfoOverGrpc(String token, EvaluateAiRequestRequest request, Status.Code expected) {
        try {
            Clients.withToken(dev.aigov.api.v1.DecisionServiceGrpc.newBlockingStub(channel), token).evaluateAiRequest(request);
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(expected);
            ErrorInfo info = Clients.errorInfo(e);
            return json(info);
        }
        throw new AssertionError("gRPC answered " + request + " without " + expected);
    }

    private static JsonNode onlyErrorInfo(String transport, JsonNode error) {
        assertThat(error.path("rawDetailTypes")).as("%s: exactly one detail", transport).hasSize(1);
        assertThat(error.path("rawDetailTypes").get(0).asText()).isEqualTo("google.rpc.ErrorInfo");
        JsonNode details = error.path("details");
        assertThat(details).as("%s: the detail, decoded by the client", transport).hasSize(1);
        assertThat(details.get(0).path("type").asText()).isEqualTo("google.rpc.ErrorInfo");
        return details.get(0).path("value");
    }

    private static String mint(String name, String... capabilities) {
        List<String> command = new ArrayList<>(List.of(ServerProcess.javaCommand(), "-jar",
                RepositoryFiles.root().resolve("server/target/aigov-server.jar").toString(), "token", "create", "--name", name));
        for (String capability : capabilities) {
            command.addAll(List.of("--capability", capability));
        }
        List<String> printed = Command.run(command, folder, Map.of(), JAR_COMMAND_BOUND).succeeded().strip().lines().toList();
        return printed.get(printed.size() - 1);
    }

    private static String workspace(String transport) {
        return "node-" + transport;
    }

    private static JsonNode line(String transport, String step) {
        JsonNode line = lines.getOrDefault(transport, Map.of()).get(step);
        assertThat(line).as("the script's line for %s %s:\n%s%s", transport, step, script.out(), script.err()).isNotNull();
        assertThat(line.path("workspace").asText()).isEqualTo(workspace(transport));
        return line;
    }

    private static JsonNode response(String transport, String step) {
        JsonNode line = line(transport, step);
        assertThat(line.has("response")).as("%s %s answered: %s", transport, step, line).isTrue();
        return line.path("response");
    }

    private static JsonNode error(String transport, String step) {
        JsonNode line = line(transport, step);
        assertThat(line.has("error")).as("%s %s failed: %s", transport, step, line).isTrue();
        return line.path("error");
    }

    private static JsonNode json(MessageOrBuilder message) {
        try {
            return BufCurl.parse(PRINTER.print(message));
        } catch (InvalidProtocolBufferException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
