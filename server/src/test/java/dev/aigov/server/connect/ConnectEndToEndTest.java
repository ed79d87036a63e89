package dev.aigov.server.connect;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.AuditEvent;
import dev.aigov.api.v1.AuditEventKind;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.GetExecutionControlRequest;
import dev.aigov.api.v1.GetExecutionControlResponse;
import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.GetWorkspacePolicyResponse;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.ListAuditEventsResponse;
import dev.aigov.api.v1.ListExecutionControlHistoryRequest;
import dev.aigov.api.v1.ListExecutionControlHistoryResponse;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.ListUseCasesResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetExecutionControlResponse;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.api.v1.SetWorkspacePolicyResponse;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.telemetry.Telemetry;
import dev.aigov.server.testing.BufCurl;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Command;
import dev.aigov.server.testing.Eventually;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestCertificates;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Connect port is the gRPC API over HTTP: each service's calls answer over Connect JSON what
 * they answer over gRPC, field by field, and fail as they fail there (the HTTP status the Connect
 * protocol maps the code to, the code, the ErrorInfo); the call meets the same authentication,
 * audit and peer address.
 */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY, http = true)
class ConnectEndToEndTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String EVALUATE = "aigov.v1.DecisionService/EvaluateAiRequest";

    private final TestServer server;
    private final Clients clients;
    private final String admin;
    private final HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(BOUND).build();

    ConnectEndToEndTest(TestServer server, Clients clients) {
        this.server = server;
        this.clients = clients;
        this.admin = server.adminToken();
    }

    /** One HTTP exchange's outcome: status, headers, body. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + new String(body, StandardCharsets.UTF_8), e);
            }
        }

        <M extends Message> M message(M prototype) {
            Message.Builder builder = prototype.newBuilderForType();
            try {
                JsonFormat.parser().merge(new String(body, StandardCharsets.UTF_8), builder);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("not a " + prototype.getDescriptorForType().getFullName() + ": " + new String(body,
                        StandardCharsets.UTF_8), e);
            }
            @SuppressWarnings("unchecked")
            M message = (M) builder.build();
            return message;
        }

        Optional<String> header(String name) {
            return headers.getOrDefault(name, List.of()).stream().findFirst();
        }
    }

    private Answer post(HttpClient client, String scheme, int port, String method, String contentType, byte[] body,
            Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + port + "/" + method))
                .timeout(BOUND).header("Content-Type", contentType).header("Connect-Protocol-Version", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new AssertionError("POST /" + method + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Answer json(String method, Message request, String token, Map<String, String> extra) {
        Map<String, String> headers = new java.util.HashMap<>(extra);
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        try {
            return post(http1, "http", server.httpPort(), method, "application/json",
                    JsonFormat.printer().print(request).getBytes(StandardCharsets.UTF_8), headers);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private Answer json(String method, Message request, String token) {
        return json(method, request, token, Map.of());
    }

    private static <M extends Message> M ok(Answer answer, M prototype) {
        assertThat(answer.status()).as("HTTP status of %s", new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(answer.header("content-type")).contains("application/json");
        return answer.message(prototype);
    }

    @Test
    void everyServiceAnswersOverConnectJsonWhatItAnswersOverGrpc() {
        String workspace = freshWorkspace();
        SetWorkspacePolicyResponse set = ok(json("aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", SetWorkspacePolicyRequest
                .newBuilder().setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build(), admin),
                SetWorkspacePolicyResponse.getDefaultInstance());
        assertThat(set.getChanged()).isTrue();
        assertThat(set.getPolicy().getPolicyMode()).isEqualTo(PolicyMode.POLICY_MODE_PRIVATE_ONLY);
        GetWorkspacePolicyRequest getPolicy = GetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace).build();
        assertThat(ok(json("aigov.v1.WorkspacePolicyService/GetWorkspacePolicy", getPolicy, admin),
                GetWorkspacePolicyResponse.getDefaultInstance())).isEqualTo(clients.policies(admin).getWorkspacePolicy(getPolicy));
        assertThat(clients.policies(admin).getWorkspacePolicy(getPolicy).getPolicy()).isEqualTo(set.getPolicy());

        // The same request_id over gRPC first: the Connect call is its replay, the very same decision.
        EvaluateAiRequestRequest evaluate = Requests.answerDraft(workspace).setRequestId(UUID.randomUUID().toString()).build();
        EvaluateAiRequestResponse overGrpc = clients.decisions(admin).evaluateAiRequest(evaluate);
        assertThat(overGrpc.getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        assertThat(ok(json(EVALUATE, evaluate, admin), EvaluateAiRequestResponse.getDefaultInstance())).isEqualTo(overGrpc);
        assertThat(ok(json("aigov.v1.DecisionService/ListUseCases", ListUseCasesRequest.getDefaultInstance(), admin),
                ListUseCasesResponse.getDefaultInstance()))
                .isEqualTo(clients.decisions(admin).listUseCases(ListUseCasesRequest.getDefaultInstance()));

        SetExecutionControlResponse control = ok(json("aigov.v1.ExecutionControlService/SetExecutionControl",
                SetExecutionControlRequest.newBuilder().setControlKey("ai.execution").setWorkspaceId(workspace)
                        .setState(ControlState.CONTROL_STATE_ENABLED).setReason("connect test").build(),
                admin),
                SetExecutionControlResponse.getDefaultInstance());
        assertThat(control.getControl().getState()).isEqualTo(ControlState.CONTROL_STATE_ENABLED);
        GetExecutionControlRequest getControl = GetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                .setWorkspaceId(workspace).build();
        assertThat(ok(json("aigov.v1.ExecutionControlService/GetExecutionControl", getControl, admin),
                GetExecutionControlResponse.getDefaultInstance())).isEqualTo(clients.controls(admin).getExecutionControl(getControl));
        ListExecutionControlHistoryRequest history = ListExecutionControlHistoryRequest.newBuilder().setControlKey("ai.execution")
                .setWorkspaceId(workspace).build();
        assertThat(ok(json("aigov.v1.ExecutionControlService/ListExecutionControlHistory", history, admin),
                ListExecutionControlHistoryResponse.getDefaultInstance()))
                .isEqualTo(clients.controls(admin).listExecutionControlHistory(history));

        ListAuditEventsRequest audit = ListAuditEventsRequest.newBuilder().setWorkspaceId(workspace).build();
        Eventually.within(BOUND, () -> clients.audit(admin).listAuditEvents(audit).getEventsCount() == 3);
        ListAuditEventsResponse overConnect = ok(json("aigov.v1.AuditService/ListAuditEvents", audit, admin),
                ListAuditEventsResponse.getDefaultInstance());
        assertThat(overConnect).isEqualTo(clients.audit(admin).listAuditEvents(audit));
        // The policy change and the control change made over Connect are audited as any other, under the caller's name.
        assertThat(overConnect.getEventsList()).extracting(AuditEvent::getKind).containsExactlyInAnyOrder(
                AuditEventKind.AUDIT_EVENT_KIND_WORKSPACE_POLICY_SET, AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION,
                AuditEventKind.AUDIT_EVENT_KIND_EXECUTION_CONTROL_SET);
    }

    @Test
    void aDecisionMadeOverConnectIsAuditedLikeOneMadeOverGrpc() {
        String workspace = freshWorkspace();
        clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        TestServer.NamedToken caller = server.mintNamed("connect-caller", Set.of("ai.decisions.evaluate"), List.of());
        EvaluateAiRequestResponse answer = ok(json(EVALUATE, Requests.answerDraft(workspace).build(), caller.token(),
                Map.of("aigov-client-version", "connect-test-1.0")), EvaluateAiRequestResponse.getDefaultInstance());
        assertThat(answer.getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);

        ListAuditEventsRequest decisions = ListAuditEventsRequest.newBuilder().setWorkspaceId(workspace)
                .setKind(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION).build();
        Eventually.within(BOUND, () -> clients.audit(admin).listAuditEvents(decisions).getEventsCount() == 1);
        AuditEvent event = clients.audit(admin).listAuditEvents(decisions).getEvents(0);
        assertThat(event.getPrincipal()).isEqualTo(caller.name());
        assertThat(event.getDecision().getDecisionId()).isEqualTo(answer.getDecision().getDecisionId());
        assertThat(event.getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
        assertThat(event.getDecision().getClientVersion()).isEqualTo("connect-test-1.0");
    }

    @Test
    void binaryProtobufIsServedToo() throws InvalidProtocolBufferException {
        String workspace = freshWorkspace();
        EvaluateAiRequestRequest evaluate = Requests.answerDraft(workspace).setRequestId(UUID.randomUUID().toString()).build();
        Answer answer = post(http1, "http", server.httpPort(), EVALUATE, "application/proto", evaluate.toByteArray(),
                Map.of("Authorization", "Bearer " + admin));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("content-type")).contains("application/proto");
        EvaluateAiRequestResponse decided = EvaluateAiRequestResponse.parseFrom(answer.body());
        // A workspace that never set a policy is disabled: BLOCK, the same decision gRPC replays for the request_id.
        assertThat(decided.getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_BLOCK);
        assertThat(clients.decisions(admin).evaluateAiRequest(evaluate)).isEqualTo(decided);

        Answer garbage = post(http1, "http", server.httpPort(), EVALUATE, "application/proto", new byte[]{(byte) 0xff, 1, 2},
                Map.of("Authorization", "Bearer " + admin));
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.json().path("code").asText()).isEqualTo("invalid_argument");
    }

    /** The error table: each failure as gRPC answers it, and as Connect writes it. */
    @Test
    void errorsCarryTheGrpcCodeTheirHttpStatusAndTheErrorInfo() {
        String workspace = freshWorkspace();
        String viewer = server.mintToken("connect-viewer", Set.of("workspace.ai_policy.view"), List.of());
        assertSameError("aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).build(), admin, 400, "invalid_argument", "INVALID_ARGUMENT");
        assertSameError(EVALUATE, Requests.answerDraft(workspace).build(), null, 401, "unauthenticated", "UNAUTHENTICATED");
        assertSameError(EVALUATE, Requests.answerDraft(workspace).build(), "aigov_" + "x".repeat(43), 401, "unauthenticated",
                "UNAUTHENTICATED");
        assertSameError("aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", SetWorkspacePolicyRequest.newBuilder()
                .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build(), viewer, 403,
                "permission_denied", "PERMISSION_DENIED");
        assertSameError("aigov.v1.ExecutionControlService/GetExecutionControl", GetExecutionControlRequest.newBuilder()
                .setControlKey("no.such.control").build(), admin, 404, "not_found", "NOT_FOUND");
    }

    private void assertSameError(String method, Message request, String token, int httpStatus, String connectCode, String grpcCode) {
        StatusRuntimeException overGrpc = catchThrowableOfType(StatusRuntimeException.class, () -> grpcCall(method, request, token));
        assertThat(overGrpc).as("%s over gRPC fails", method).isNotNull();
        assertThat(overGrpc.getStatus().getCode().name()).isEqualTo(grpcCode);
        ErrorInfo expected = Clients.errorInfo(overGrpc);

        Answer answer = json(method, request, token);
        assertThat(answer.status()).as("%s: %s", method, new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo(httpStatus);
        assertThat(answer.header("content-type")).contains("application/json");
        JsonNode error = answer.json();
        assertThat(error.path("code").asText()).isEqualTo(connectCode);
        assertThat(error.path("message").asText()).isEqualTo(overGrpc.getStatus().getDescription());
        JsonNode detail = error.path("details").get(0);
        assertThat(detail.path("type").asText()).isEqualTo("google.rpc.ErrorInfo");
        ErrorInfo info;
        try {
            info = ErrorInfo.parseFrom(Base64.getDecoder().decode(detail.path("value").asText()));
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        assertThat(info).isEqualTo(expected);
        assertThat(detail.path("debug").path("reason").asText()).isEqualTo(expected.getReason());
    }

    private Object grpcCall(String method, Message request, String token) {
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        }
        io.grpc.Channel channel = io.grpc.ClientInterceptors.intercept(clients.channel(),
                MetadataUtils.newAttachHeadersInterceptor(headers));
        return switch (method) {
            case EVALUATE -> dev.aigov.api.v1.DecisionServiceGrpc.newBlockingStub(channel)
                    .evaluateAiRequest((EvaluateAiRequestRequest) request);
            case "aigov.v1.WorkspacePolicyService/SetWorkspacePolicy" -> dev.aigov.api.v1.WorkspacePolicyServiceGrpc
                    .newBlockingStub(channel).setWorkspacePolicy((SetWorkspacePolicyRequest) request);
            case "aigov.v1.ExecutionControlService/GetExecutionControl" -> dev.aigov.api.v1.ExecutionControlServiceGrpc
                    .newBlockingStub(channel).getExecutionControl((GetExecutionControlRequest) request);
            default -> throw new IllegalArgumentException(method);
        };
    }

    @Test
    void theProtocolsOwnRefusals() {
        Answer unknown = json("aigov.v1.DecisionService/NoSuchMethod", ListUseCasesRequest.getDefaultInstance(), admin);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("code").asText()).isEqualTo("unimplemented");

        Answer text = post(http1, "http", server.httpPort(), EVALUATE, "text/plain", "{}".getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.header("accept-post")).contains("application/json, application/proto");

        Answer wrongField = post(http1, "http", server.httpPort(), EVALUATE, "application/json",
                "{\"workspaceId\": \"w\", \"colour\": 1}".getBytes(StandardCharsets.UTF_8), Map.of("Authorization", "Bearer " + admin));
        assertThat(wrongField.status()).isEqualTo(400);
        assertThat(wrongField.json().path("code").asText()).isEqualTo("invalid_argument");
        assertThat(wrongField.json().path("message").asText()).contains("colour");
        assertThat(wrongField.json().path("details").get(0).path("debug").path("reason").asText()).as("its ErrorInfo")
                .isEqualTo("ERROR_REASON_INVALID_FIELD");
        // As over gRPC, the caller is authenticated before its request is read: without a token, 401, not the JSON's problem.
        Answer wrongFieldNoToken = post(http1, "http", server.httpPort(), EVALUATE, "application/json",
                "{\"workspaceId\": \"w\", \"colour\": 1}".getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(wrongFieldNoToken.status()).isEqualTo(401);
        assertThat(wrongFieldNoToken.json().path("code").asText()).isEqualTo("unauthenticated");
        assertThat(wrongFieldNoToken.json().path("message").asText()).doesNotContain("colour");

        Answer badTimeout = json(EVALUATE, Requests.answerDraft("w").build(), admin, Map.of("Connect-Timeout-Ms", "soon"));
        assertThat(badTimeout.status()).isEqualTo(400);
        assertThat(badTimeout.json().path("message").asText()).contains("Connect-Timeout-Ms");

        try {
            HttpResponse<String> get = http1.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.httpPort() + "/"
                    + EVALUATE)).timeout(BOUND).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("allow")).contains("POST");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The peer the failed-authentication budget and the audit know is the HTTP connection's address:
     * neither X-Forwarded-For nor the bridge's own header sent from the network changes it, on either port.
     */
    @Test
    void aForgedAddressDoesNotChangeTheAuditedPeer() {
        String workspace = freshWorkspace();
        String viewer = server.mintToken("connect-forger", Set.of("workspace.ai_policy.view"), List.of());
        Map<String, String> forged = Map.of("X-Forwarded-For", "203.0.113.7", "X-Real-IP", "203.0.113.7",
                ConnectBridge.REMOTE_ADDRESS.name(), "203.0.113.7|443");
        SetWorkspacePolicyRequest refused = SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build();
        assertThat(json("aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", refused, viewer, forged).status()).isEqualTo(403);
        Metadata headers = new Metadata();
        forged.forEach((name, value) -> headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> clients.policies(viewer)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).setWorkspacePolicy(refused))).isNotNull();

        ListAuditEventsRequest denied = ListAuditEventsRequest.newBuilder().setWorkspaceId(workspace)
                .setKind(AuditEventKind.AUDIT_EVENT_KIND_MUTATION_DENIED).build();
        Eventually.within(BOUND, () -> clients.audit(admin).listAuditEvents(denied).getEventsList().stream()
                .mapToInt(event -> Math.max(1, event.getDeniedMutation().getRepeatCount())).sum() == 2);
        assertThat(clients.audit(admin).listAuditEvents(denied).getEventsList())
                .extracting(event -> event.getDeniedMutation().getPeer()).containsOnly("127.0.0.1");
    }

    /**
     * An independent Connect client: buf curl, over HTTP/2 with prior knowledge, knowing the API only
     * from the schema (a FileDescriptorSet of the four services' files, which buf reads as an image).
     */
    @Test
    void bufCurlCallsItOverHttp2WithPriorKnowledge(@TempDir Path directory) throws IOException {
        BufCurl buf = BufCurl.installed();
        Path schema = directory.resolve("aigov.binpb");
        Files.write(schema, descriptorSet().toByteArray());
        String workspace = freshWorkspace();
        Command.Result answer = buf.run(List.of("curl", "--protocol", "connect", "--http2-prior-knowledge", "--schema",
                schema.toString(), "-H", "authorization: Bearer " + admin, "-d",
                JsonFormat.printer().print(Requests.answerDraft(workspace)),
                "http://localhost:" + server.httpPort() + "/" + EVALUATE));
        assertThat(answer.exitCode()).as(answer.err()).isZero();
        // A workspace that never set a policy is disabled: BLOCK.
        assertThat(BufCurl.parse(answer.out()).path("decision").path("outcome").asText()).isEqualTo("OUTCOME_BLOCK");

        Command.Result unauthenticated = buf.run(List.of("curl", "--protocol", "connect", "--http2-prior-knowledge", "--schema",
                schema.toString(), "-d", "{}", "http://localhost:" + server.httpPort() + "/" + EVALUATE));
        // buf curl exits with the code times 8: UNAUTHENTICATED is 16.
        assertThat(unauthenticated.exitCode()).as(unauthenticated.err()).isEqualTo(16 * 8);
        assertThat(unauthenticated.err()).contains("unauthenticated");
    }

    /** The files of the four services and every file they import, dependencies first. */
    private static com.google.protobuf.DescriptorProtos.FileDescriptorSet descriptorSet() {
        java.util.LinkedHashMap<String, com.google.protobuf.DescriptorProtos.FileDescriptorProto> files = new java.util.LinkedHashMap<>();
        for (com.google.protobuf.Descriptors.FileDescriptor file : List.of(dev.aigov.api.v1.DecisionProto.getDescriptor(),
                dev.aigov.api.v1.WorkspacePolicyProto.getDescriptor(), dev.aigov.api.v1.ExecutionControlProto.getDescriptor(),
                dev.aigov.api.v1.AuditProto.getDescriptor())) {
            addWithDependencies(file, files);
        }
        return com.google.protobuf.DescriptorProtos.FileDescriptorSet.newBuilder().addAllFile(files.values()).build();
    }

    private static void addWithDependencies(com.google.protobuf.Descriptors.FileDescriptor file,
            Map<String, com.google.protobuf.DescriptorProtos.FileDescriptorProto> files) {
        if (files.containsKey(file.getName())) {
            return;
        }
        file.getDependencies().forEach(dependency -> addWithDependencies(dependency, files));
        files.put(file.getName(), file.toProto());
    }

    /**
     * The failed-authentication budget is the address's, whichever port it calls: failures over
     * Connect spend the budget a gRPC call from the same address then finds spent (429 over HTTP).
     */
    @Test
    void failedAuthenticationsOverConnectSpendTheAddresssBudget() {
        ServerConfig.AuthLimits limits = new ServerConfig.AuthLimits(3, 0.001);
        try (TestServer limited = TestServer.start(WithAigovServer.Transport.NETTY, TestDatabase.shared(),
                config -> new ServerConfig(config.bindAddress(), config.grpcPort(), ServerConfig.ANY_FREE_PORT, config.tls(),
                        config.shutdownGrace(), config.database(), config.hotPath(), limits, config.telemetry(), config.overload()),
                config -> Telemetry.start(config.telemetry()), List.of());
             Clients limitedClients = new Clients(limited)) {
            String unknown = "aigov_" + "y".repeat(43);
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < limits.failureBurst(); i++) {
                Answer refused = post(http1, "http", limited.httpPort(), EVALUATE, "application/json", body,
                        Map.of("Authorization", "Bearer " + unknown, "X-Forwarded-For", "198.51.100." + i));
                assertThat(refused.status()).as("failed authentication %d", i + 1).isEqualTo(401);
            }
            Answer throttled = post(http1, "http", limited.httpPort(), EVALUATE, "application/json", body,
                    Map.of("Authorization", "Bearer " + unknown, "X-Forwarded-For", "198.51.100.99"));
            assertThat(throttled.status()).isEqualTo(429);
            assertThat(throttled.json().path("code").asText()).isEqualTo("resource_exhausted");
            StatusRuntimeException overGrpc = catchThrowableOfType(StatusRuntimeException.class,
                    () -> limitedClients.decisions(unknown).evaluateAiRequest(Requests.answerDraft(freshWorkspace()).build()));
            assertThat(overGrpc.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
        }
    }

    /**
     * The concurrency limit counts Connect calls as it counts gRPC ones: with the one slot held by a
     * decision over Connect, the next decision (over either port) is refused at once, 503 unavailable
     * with OVERLOADED; the held one then succeeds.
     */
    @Test
    void overTheConcurrencyLimitACallIsUnavailableOverloaded() throws Exception {
        try (TestServer limited = TestServer.start(WithAigovServer.Transport.NETTY, TestDatabase.shared(),
                config -> config.withHttpPort(ServerConfig.ANY_FREE_PORT).withOverload(dev.aigov.server.config.OverloadConfig.fixed(1)),
                config -> Telemetry.start(config.telemetry()), List.of());
             Clients limitedClients = new Clients(limited);
             dev.aigov.server.testing.HeldBatches batches = dev.aigov.server.testing.HeldBatches.holdEveryBatchOf(limited.auditWriter())) {
            String token = limited.adminToken();
            byte[] body = JsonFormat.printer().print(Requests.answerDraft(freshWorkspace())).getBytes(StandardCharsets.UTF_8);
            java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> held = http1.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + limited.httpPort() + "/" + EVALUATE)).timeout(BOUND)
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(batches.awaitHeld(BOUND)).isTrue();

            Answer refused = post(http1, "http", limited.httpPort(), EVALUATE, "application/json", body,
                    Map.of("Authorization", "Bearer " + token));
            assertThat(refused.status()).as(new String(refused.body(), StandardCharsets.UTF_8)).isEqualTo(503);
            assertThat(refused.json().path("code").asText()).isEqualTo("unavailable");
            assertThat(refused.json().path("details").get(0).path("debug").path("reason").asText()).isEqualTo("ERROR_REASON_OVERLOADED");
            StatusRuntimeException overGrpc = catchThrowableOfType(StatusRuntimeException.class,
                    () -> limitedClients.decisions(token).evaluateAiRequest(Requests.answerDraft(freshWorkspace()).build()));
            assertThat(Clients.errorInfo(overGrpc).getReason()).isEqualTo("ERROR_REASON_OVERLOADED");
            assertThat(held).isNotDone();

            batches.release();
            HttpResponse<byte[]> answered = held.get(BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ok(new Answer(answered.statusCode(), answered.headers().map(), answered.body()),
                    EvaluateAiRequestResponse.getDefaultInstance()).getDecision().hasEvaluatedAt()).isTrue();
        }
    }

    /** On stop the port takes no new connection, and a call in flight over it still gets its answer (README: in-flight calls finish first). */
    @Test
    void onStopACallInFlightOverConnectIsAnswered() throws Exception {
        TestServer stopping = TestServer.start(WithAigovServer.Transport.NETTY, TestDatabase.shared(),
                config -> config.withHttpPort(ServerConfig.ANY_FREE_PORT), config -> Telemetry.start(config.telemetry()), List.of());
        try (stopping; dev.aigov.server.testing.HeldBatches batches =
                dev.aigov.server.testing.HeldBatches.holdEveryBatchOf(stopping.auditWriter())) {
            int port = stopping.httpPort();
            byte[] body = JsonFormat.printer().print(Requests.answerDraft(freshWorkspace())).getBytes(StandardCharsets.UTF_8);
            java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> inFlight = http1.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/" + EVALUATE)).timeout(BOUND).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + stopping.adminToken()).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(batches.awaitHeld(BOUND)).isTrue();

            Thread stopper = Thread.ofPlatform().start(stopping::stop);
            Eventually.within(BOUND, () -> {
                try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            });
            assertThat(inFlight).isNotDone();
            batches.release();
            HttpResponse<byte[]> answered = inFlight.get(BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ok(new Answer(answered.statusCode(), answered.headers().map(), answered.body()),
                    EvaluateAiRequestResponse.getDefaultInstance()).getDecision().hasEvaluatedAt()).isTrue();
            stopper.join(BOUND.toMillis());
            assertThat(stopper.isAlive()).isFalse();
        }
    }

    /** Connect-Timeout-Ms is the call's deadline: a decision still waiting for its audit record past it is 504 deadline_exceeded. */
    @Test
    void pastConnectTimeoutMsTheCallIsDeadlineExceeded() throws InterruptedException {
        try (dev.aigov.server.testing.HeldBatches batches = dev.aigov.server.testing.HeldBatches.holdEveryBatchOf(server.auditWriter())) {
            Answer late = json(EVALUATE, Requests.answerDraft(freshWorkspace()).build(), admin, Map.of("Connect-Timeout-Ms", "300"));
            assertThat(batches.awaitHeld(Duration.ZERO)).as("the decision waited for its audit record").isTrue();
            assertThat(late.status()).as(new String(late.body(), StandardCharsets.UTF_8)).isEqualTo(504);
            assertThat(late.json().path("code").asText()).isEqualTo("deadline_exceeded");
        }
    }

    /** An HTTP/1.1 client that sends its next request before the first is answered gets the answers in its order. */
    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        String evaluate = JsonFormat.printer().omittingInsignificantWhitespace().print(Requests.answerDraft(freshWorkspace()));
        String first = "POST /" + EVALUATE + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + admin + "\r\nContent-Length: " + evaluate.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n" + evaluate;
        // Answered at once, without a call: it must still wait for the decision before it.
        String second = "POST /aigov.v1.DecisionService/NoSuchMethod HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout((int) BOUND.toMillis());
            socket.getOutputStream().write((first + second).getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answers.indexOf("HTTP/1.1 200 OK")).as(answers).isNotNegative()
                    .isLessThan(answers.indexOf("HTTP/1.1 404 Not Found"));
            assertThat(answers).contains("OUTCOME_BLOCK");
        }
    }

    /** The JDK's client asking for HTTP/2 in cleartext offers an h2c upgrade: declined, the call is answered over HTTP/1.1. */
    @Test
    void anH2cUpgradeIsDeclinedAndAnsweredOverHttp11() throws Exception {
        HttpClient wantsHttp2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(BOUND).build();
        HttpResponse<byte[]> response = wantsHttp2.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.httpPort()
                + "/aigov.v1.DecisionService/ListUseCases")).timeout(BOUND).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(ok(new Answer(response.statusCode(), response.headers().map(), response.body()),
                ListUseCasesResponse.getDefaultInstance())).isEqualTo(clients.decisions(admin).listUseCases(
                        ListUseCasesRequest.getDefaultInstance()));
    }

    /** Under TLS the port negotiates HTTP/2 or HTTP/1.1 by ALPN, with the gRPC port's certificate. */
    @Test
    void underTlsItSpeaksHttp2AndHttp11(@TempDir Path directory) throws Exception {
        TestCertificates certificates = TestCertificates.createIn(directory);
        ServerConfig.Tls tls = new ServerConfig.Tls(certificates.serverCertificate(), certificates.serverKey(), Optional.empty());
        try (TestServer secure = TestServer.start(WithAigovServer.Transport.NETTY, TestDatabase.shared(),
                config -> new ServerConfig(config.bindAddress(), config.grpcPort(), ServerConfig.ANY_FREE_PORT, Optional.of(tls),
                        config.shutdownGrace(), config.database(), config.hotPath(), config.authLimits(), config.telemetry(),
                        config.overload()),
                config -> Telemetry.start(config.telemetry()), List.of())) {
            SSLContext trusting = trusting(certificates.caCertificate());
            for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
                HttpClient client = HttpClient.newBuilder().version(version).sslContext(trusting).connectTimeout(BOUND).build();
                HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + secure.httpPort()
                        + "/aigov.v1.DecisionService/ListUseCases")).timeout(BOUND).header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + secure.adminToken()).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                assertThat(response.version()).isEqualTo(version);
                Answer answer = new Answer(response.statusCode(), response.headers().map(), response.body());
                assertThat(ok(answer, ListUseCasesResponse.getDefaultInstance()).getUseCasesCount()).isPositive();
            }
        }
    }

    private static SSLContext trusting(Path caCertificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream pem = Files.newInputStream(caCertificate)) {
            store.setCertificateEntry("aigov-test-ca", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
