package dev.aigov.server.connect;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.AuditEvent;
import dev.aigov.api.v1.AuditEventKind;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Eventually;
import dev.aigov.server.testing.Requests;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * AuthZEN 1.0 on the HTTP port: the specification's evaluation and evaluations requests (its
 * examples in aigov's vocabulary) decide as {@code EvaluateAiRequest} decides, field for field, are
 * audited as any decision, and fail as errors (never {@code true}); a request aigov cannot read
 * exactly is refused, naming the member.
 */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY, http = true)
class AuthZenEndToEndTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration BOUND = Duration.ofSeconds(20);

    private final TestServer server;
    private final Clients clients;
    private final String admin;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(BOUND).build();

    AuthZenEndToEndTest(TestServer server, Clients clients) {
        this.server = server;
        this.clients = clients;
        this.admin = server.adminToken();
    }

    record Answer(int status, HttpResponse<String> response) {
        JsonNode json() {
            try {
                return MAPPER.readTree(response.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + response.body(), e);
            }
        }
    }

    private Answer post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.httpPort() + path)).timeout(BOUND)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request.build());
    }

    private Answer post(String path, JsonNode body, String token) {
        return post(path, body.toString(), token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response);
        } catch (IOException e) {
            throw new AssertionError(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The specification's example evaluation, in aigov's vocabulary: may user-42 draft an answer in {@code workspace}? */
    private static ObjectNode evaluation(String workspace) {
        ObjectNode request = MAPPER.createObjectNode();
        request.putObject("subject").put("type", "user").put("id", "user-42");
        request.putObject("action").put("name", "ai_request");
        request.putObject("resource").put("type", "workspace").put("id", workspace);
        ObjectNode context = request.putObject("context");
        context.put("use_case", "product_knowledge.answer_draft").put("provider_class", "local_private")
                .put("source_family", "product_knowledge").put("caller_surface", "help-panel");
        context.putArray("data_classifications").add("product_knowledge");
        return request;
    }

    private String privateOnly() {
        String workspace = freshWorkspace();
        clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
        return workspace;
    }

    private static Decision decision(JsonNode context) {
        Decision.Builder decision = Decision.newBuilder();
        try {
            JsonFormat.parser().merge(context.toString(), decision);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("the context is not a Decision: " + context, e);
        }
        return decision.build();
    }

    private List<AuditEvent> decisionsOf(String workspace, int expected) {
        ListAuditEventsRequest list = ListAuditEventsRequest.newBuilder().setWorkspaceId(workspace)
                .setKind(AuditEventKind.AUDIT_EVENT_KIND_AI_DECISION).build();
        Eventually.within(BOUND, () -> clients.audit(admin).listAuditEvents(list).getEventsCount() >= expected);
        return clients.audit(admin).listAuditEvents(list).getEventsList();
    }

    /**
     * The mapping is exact: an AuthZEN evaluation with a {@code request_id} is, field for field, the
     * gRPC request with it (the same fingerprint), so gRPC replays the very decision AuthZEN got.
     */
    @Test
    void anAllowIsTrueWithTheDecisionOfTheSameRequestOverGrpc() {
        String workspace = privateOnly();
        String requestId = UUID.randomUUID().toString();
        ObjectNode request = evaluation(workspace);
        ((ObjectNode) request.get("context")).put("request_id", requestId);
        Answer answer = post(AuthZen.EVALUATION, request, admin);
        assertThat(answer.status()).as(answer.response().body()).isEqualTo(200);
        assertThat(answer.response().headers().firstValue("content-type")).contains("application/json");
        JsonNode body = answer.json();
        assertThat(body.path("decision").isBoolean()).isTrue();
        assertThat(body.path("decision").asBoolean()).isTrue();
        Decision overAuthZen = decision(body.path("context"));

        EvaluateAiRequestResponse overGrpc = clients.decisions(admin)
                .evaluateAiRequest(Requests.answerDraft(workspace).setRequestId(requestId).build());
        assertThat(overGrpc.getDecision()).as("gRPC's replay of the same request_id: the same request, the same decision")
                .isEqualTo(overAuthZen);

        List<AuditEvent> audited = decisionsOf(workspace, 1);
        assertThat(audited).hasSize(1);
        assertThat(audited.getFirst().getDecision().getDecisionId()).isEqualTo(overAuthZen.getDecisionId());
        assertThat(audited.getFirst().getCallerSurface()).isEqualTo("help-panel");
        assertThat(audited.getFirst().getActor().getId()).isEqualTo("user-42");
        assertThat(audited.getFirst().getRequestId()).isEqualTo(requestId);
    }

    @Test
    void aBlockIsFalseWithEveryReasonInTheContext() {
        String workspace = privateOnly();
        ObjectNode request = evaluation(workspace);
        ((ObjectNode) request.get("resource")).putObject("properties").put("tenant_id", "contoso");
        ((ArrayNode) request.get("context").get("data_classifications")).add("DATA_CLASSIFICATION_PERSONAL_DATA");
        Answer answer = post(AuthZen.EVALUATION, request, admin);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("decision").asBoolean(true)).isFalse();
        JsonNode context = answer.json().path("context");
        assertThat(context.path("outcome").asText()).isEqualTo("OUTCOME_BLOCK");
        assertThat(context.path("reason").asText()).isEqualTo("BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED");
        assertThat(context.path("all_reasons").toString()).isEqualTo(
                "[\"BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED\",\"BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED\"]");
        assertThat(context.path("rejected_classifications").toString()).isEqualTo("[\"DATA_CLASSIFICATION_PERSONAL_DATA\"]");
        assertThat(decisionsOf(workspace, 1).getFirst().getDecision().getDecisionId()).isEqualTo(context.path("decision_id").asText());

        // A paused workspace: false, paused first.
        clients.controls(admin).setExecutionControl(SetExecutionControlRequest.newBuilder().setControlKey("ai.execution")
                .setWorkspaceId(workspace).setState(ControlState.CONTROL_STATE_PAUSED).setReason("authzen test").build());
        Eventually.within(BOUND, () -> post(AuthZen.EVALUATION, evaluation(workspace), admin).json().path("context").path("reason")
                .asText().equals("BLOCK_REASON_AI_EXECUTION_PAUSED"));
        assertThat(post(AuthZen.EVALUATION, evaluation(workspace), admin).json().path("decision").asBoolean(true)).isFalse();
    }

    /**
     * The specification's batch example: defaults at the top, one member replaced per evaluation, the
     * answers in order; each evaluation is a decision of its own, audited.
     */
    @Test
    void aBatchAnswersEachEvaluationInOrderOverTheDefaults() {
        String open = privateOnly();
        String closed = freshWorkspace(); // never set: disabled, so blocked
        ObjectNode request = evaluation(open);
        ArrayNode items = request.putArray("evaluations");
        items.addObject().putObject("resource").put("type", "workspace").put("id", open);
        items.addObject().putObject("resource").put("type", "workspace").put("id", closed);
        ObjectNode external = MAPPER.createObjectNode().put("use_case", "product_knowledge.answer_draft")
                .put("provider_class", "external_public").put("source_family", "product_knowledge");
        external.putArray("data_classifications").add("product_knowledge");
        items.addObject().set("context", external);
        Answer answer = post(AuthZen.EVALUATIONS, request, admin);
        assertThat(answer.status()).as(answer.response().body()).isEqualTo(200);
        JsonNode evaluations = answer.json().path("evaluations");
        assertThat(evaluations).hasSize(3);
        assertThat(evaluations.get(0).path("decision").asBoolean()).isTrue();
        assertThat(evaluations.get(1).path("decision").asBoolean(true)).isFalse();
        assertThat(evaluations.get(1).path("context").path("reason").asText()).isEqualTo("BLOCK_REASON_WORKSPACE_POLICY_DISABLED");
        assertThat(evaluations.get(2).path("decision").asBoolean(true)).isFalse();
        assertThat(evaluations.get(2).path("context").path("reason").asText()).isEqualTo("BLOCK_REASON_PROVIDER_CLASS_NOT_PERMITTED");
        assertThat(decisionsOf(open, 2)).hasSize(2);
        assertThat(decisionsOf(closed, 1)).hasSize(1);

        // No evaluations: one evaluation, answered as one.
        ObjectNode single = evaluation(open);
        single.putArray("evaluations");
        JsonNode one = post(AuthZen.EVALUATIONS, single, admin).json();
        assertThat(one.path("decision").asBoolean()).isTrue();
        assertThat(one.has("evaluations")).isFalse();
    }

    @Test
    void shortCircuitSemanticsStopAtTheFirstDenyOrPermit() {
        String open = privateOnly();
        String closed = freshWorkspace();
        for (String semantic : List.of("deny_on_first_deny", "permit_on_first_permit")) {
            ObjectNode request = evaluation(open);
            request.putObject("options").put("evaluations_semantic", semantic);
            ArrayNode items = request.putArray("evaluations");
            List<String> order = semantic.equals("deny_on_first_deny") ? List.of(open, closed, open) : List.of(closed, open, closed);
            for (String workspace : order) {
                items.addObject().putObject("resource").put("type", "workspace").put("id", workspace);
            }
            Answer answer = post(AuthZen.EVALUATIONS, request, admin);
            assertThat(answer.status()).as(answer.response().body()).isEqualTo(200);
            JsonNode evaluations = answer.json().path("evaluations");
            assertThat(evaluations).as(semantic + ": up to the one that decides, and no further").hasSize(2);
            boolean first = semantic.equals("deny_on_first_deny");
            assertThat(evaluations.get(0).path("decision").asBoolean()).isEqualTo(first);
            assertThat(evaluations.get(1).path("decision").asBoolean()).isEqualTo(!first);
        }
        // Each ran what it answered: 1 + 1 decisions for open, 1 + 1 for closed; nothing beyond.
        assertThat(decisionsOf(open, 2)).hasSize(2);
        assertThat(decisionsOf(closed, 2)).hasSize(2);
    }

    /** What aigov cannot read exactly is refused, naming the member, never decided without it. */
    @Test
    void aMalformedRequestIsRefusedNamingTheMember() {
        String workspace = privateOnly();
        Map<String, String> auth = Map.of("Authorization", "Bearer " + admin);
        Map<String, ObjectNode> cases = new java.util.LinkedHashMap<>();
        ObjectNode misspelt = evaluation(workspace);
        ((ObjectNode) misspelt.get("resource")).putObject("properties").put("tenant", "contoso");
        cases.put("resource.properties.tenant", misspelt);
        ObjectNode extra = evaluation(workspace);
        ((ObjectNode) extra.get("context")).put("data_classification", "personal_data");
        cases.put("context.data_classification", extra);
        ObjectNode noSubject = evaluation(workspace);
        noSubject.remove("subject");
        cases.put("subject", noSubject);
        ObjectNode action = evaluation(workspace);
        ((ObjectNode) action.get("action")).put("name", "can_read");
        cases.put("action.name", action);
        ObjectNode resourceType = evaluation(workspace);
        ((ObjectNode) resourceType.get("resource")).put("type", "document");
        cases.put("resource.type", resourceType);
        ObjectNode kind = evaluation(workspace);
        ((ObjectNode) kind.get("subject")).put("type", "robot");
        cases.put("subject.type", kind);
        ObjectNode provider = evaluation(workspace);
        ((ObjectNode) provider.get("context")).put("provider_class", "Local_Private");
        cases.put("context.provider_class", provider);
        ObjectNode classification = evaluation(workspace);
        ((ArrayNode) classification.get("context").get("data_classifications")).add(5);
        cases.put("context.data_classifications[1]", classification);
        ObjectNode properties = evaluation(workspace);
        ((ObjectNode) properties.get("subject")).putObject("properties").put("department", "sales");
        cases.put("subject.properties", properties);
        for (Map.Entry<String, ObjectNode> refused : cases.entrySet()) {
            Answer answer = post(AuthZen.EVALUATION, refused.getValue(), admin);
            assertThat(answer.status()).as(refused.getKey() + ": " + answer.response().body()).isEqualTo(400);
            JsonNode error = answer.json();
            assertThat(error.path("code").asText()).isEqualTo("invalid_argument");
            assertThat(error.path("field").asText()).isEqualTo(refused.getKey());
            assertThat(error.path("message").asText()).contains(refused.getKey());
            assertThat(error.has("decision")).as("an error is an error, not a decision").isFalse();
            assertThat(errorInfo(error).getMetadataOrThrow("field")).isEqualTo(refused.getKey());
        }
        // A field the service itself refuses is named as AuthZEN calls it.
        ObjectNode noUseCase = evaluation(workspace);
        ((ObjectNode) noUseCase.get("context")).remove("use_case");
        Answer refused = post(AuthZen.EVALUATION, noUseCase, admin);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("field").asText()).isEqualTo("context.use_case");
        assertThat(errorInfo(refused.json()).getMetadataOrThrow("field")).isEqualTo("use_case");

        assertThat(post(AuthZen.EVALUATION, "{\"subject\": ", auth).status()).isEqualTo(400);
        assertThat(post(AuthZen.EVALUATION, "[1, 2]", auth).json().path("message").asText()).contains("JSON object");
        ObjectNode tooMany = evaluation(workspace);
        ArrayNode items = tooMany.putArray("evaluations");
        for (int i = 0; i <= AuthZen.MAX_EVALUATIONS; i++) {
            items.addObject();
        }
        assertThat(post(AuthZen.EVALUATIONS, tooMany, admin).json().path("field").asText()).isEqualTo("evaluations");
        ObjectNode semantic = evaluation(workspace);
        semantic.putObject("options").put("evaluations_semantic", "first_come");
        assertThat(post(AuthZen.EVALUATIONS, semantic, admin).json().path("field").asText()).isEqualTo("options.evaluations_semantic");
        ObjectNode badItem = evaluation(workspace);
        badItem.putArray("evaluations").addObject().putObject("resource").put("type", "workspace").put("id", workspace).put("kind", 1);
        assertThat(post(AuthZen.EVALUATIONS, badItem, admin).json().path("field").asText()).isEqualTo("evaluations[0].resource.kind");
        ObjectNode manyClassifications = evaluation(workspace);
        ArrayNode declared = (ArrayNode) manyClassifications.get("context").get("data_classifications");
        for (int i = 0; i < 16; i++) {
            declared.add("product_knowledge");
        }
        assertThat(post(AuthZen.EVALUATION, manyClassifications, admin).json().path("field").asText())
                .isEqualTo("context.data_classifications");
        ObjectNode sharedRequestId = evaluation(workspace);
        ((ObjectNode) sharedRequestId.get("context")).put("request_id", UUID.randomUUID().toString());
        sharedRequestId.putArray("evaluations").addObject().putObject("resource").put("type", "workspace").put("id", workspace);
        assertThat(post(AuthZen.EVALUATIONS, sharedRequestId, admin).json().path("field").asText()).as("one request_id, one decision")
                .isEqualTo("context.request_id");
        // Nothing refused was decided (each refusal was answered; a decision is answered once audited).
        assertThat(decisionsOf(workspace, 0)).isEmpty();
        assertThat(post(AuthZen.EVALUATION, evaluation(workspace), admin).json().path("decision").asBoolean()).isTrue();
        assertThat(decisionsOf(workspace, 1)).hasSize(1);
    }

    /** In a batch, an error about one evaluation's request is that evaluation's false; the others are decided. */
    @Test
    void anEvaluationsOwnErrorIsItsFalseInABatch() {
        String workspace = privateOnly();
        String other = privateOnly();
        String reach = server.mintToken("authzen-one-workspace", Set.of("ai.decisions.evaluate"), List.of(workspace));
        ObjectNode request = evaluation(workspace);
        ArrayNode items = request.putArray("evaluations");
        items.addObject().putObject("resource").put("type", "workspace").put("id", workspace);
        items.addObject().putObject("resource").put("type", "workspace").put("id", other);
        items.addObject().putObject("resource").put("type", "workspace").put("id", "");
        JsonNode evaluations = post(AuthZen.EVALUATIONS, request, reach).json().path("evaluations");
        assertThat(evaluations).hasSize(3);
        assertThat(evaluations.get(0).path("decision").asBoolean()).isTrue();
        assertThat(evaluations.get(1).path("decision").asBoolean(true)).isFalse();
        assertThat(evaluations.get(1).path("context").path("error").path("code").asText()).isEqualTo("permission_denied");
        assertThat(evaluations.get(2).path("decision").asBoolean(true)).isFalse();
        assertThat(evaluations.get(2).path("context").path("error").path("code").asText()).isEqualTo("invalid_argument");
        assertThat(evaluations.get(2).path("context").path("error").path("field").asText()).isEqualTo("resource.id");
    }

    /** No token, a wrong token, a token without the capability: an error for the request, batch or not, before its shape. */
    @Test
    void theCallerIsCheckedFirstAndARefusalIsAnError() {
        String workspace = privateOnly();
        String viewer = server.mintToken("authzen-viewer", Set.of("workspace.ai_policy.view"), List.of());
        ObjectNode batch = evaluation(workspace);
        batch.putArray("evaluations").addObject().putObject("resource").put("type", "workspace").put("id", workspace);
        for (String path : List.of(AuthZen.EVALUATION, AuthZen.EVALUATIONS)) {
            JsonNode body = path.equals(AuthZen.EVALUATION) ? evaluation(workspace) : batch;
            Answer missing = post(path, body, null);
            assertThat(missing.status()).as(path).isEqualTo(401);
            assertThat(missing.json().path("code").asText()).isEqualTo("unauthenticated");
            assertThat(errorInfo(missing.json()).getReason()).isEqualTo("ERROR_REASON_MISSING_CREDENTIAL");
            assertThat(post(path, body, "aigov_" + "x".repeat(43)).status()).isEqualTo(401);
            Answer denied = post(path, body, viewer);
            assertThat(denied.status()).as(path).isEqualTo(403);
            assertThat(errorInfo(denied.json()).getReason()).isEqualTo("ERROR_REASON_MISSING_CAPABILITY");
            // Malformed, and without a token: the missing token is the answer, not the request's shape.
            assertThat(post(path, "{\"nonsense\": true}", Map.of()).status()).isEqualTo(401);
        }
        assertThat(decisionsOf(workspace, 0)).isEmpty();
    }

    @Test
    void theConfigurationNamesTheEndpointsAndARequestIdIsEchoed() {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://localhost:" + server.httpPort() + AuthZen.CONFIGURATION))
                .timeout(BOUND).GET().build();
        Answer configuration = send(get);
        assertThat(configuration.status()).isEqualTo(200);
        String base = "http://localhost:" + server.httpPort();
        JsonNode metadata = configuration.json();
        assertThat(metadata.path("policy_decision_point").asText()).isEqualTo(base);
        assertThat(metadata.path("access_evaluation_endpoint").asText()).isEqualTo(base + "/access/v1/evaluation");
        assertThat(metadata.path("access_evaluations_endpoint").asText()).isEqualTo(base + "/access/v1/evaluations");
        Answer post = post(AuthZen.CONFIGURATION, "{}", Map.of());
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.response().headers().firstValue("allow")).contains("GET");
        assertThat(send(HttpRequest.newBuilder(URI.create(base + AuthZen.EVALUATION)).timeout(BOUND).GET().build()).status())
                .isEqualTo(405);

        Map<String, String> headers = new HashMap<>(Map.of("Authorization", "Bearer " + admin, "X-Request-ID", "pep-7f3a"));
        Answer decided = post(AuthZen.EVALUATION, evaluation(privateOnly()).toString(), headers);
        assertThat(decided.response().headers().firstValue("x-request-id")).contains("pep-7f3a");
        headers.remove("Authorization");
        Answer refused = post(AuthZen.EVALUATION, evaluation(privateOnly()).toString(), headers);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.response().headers().firstValue("x-request-id")).as("echoed on an error too").contains("pep-7f3a");
    }

    private static ErrorInfo errorInfo(JsonNode error) {
        JsonNode detail = error.path("details").path(0);
        assertThat(detail.path("type").asText()).isEqualTo("google.rpc.ErrorInfo");
        try {
            return ErrorInfo.parseFrom(Base64.getDecoder().decode(detail.path("value").asText().getBytes(StandardCharsets.US_ASCII)));
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
