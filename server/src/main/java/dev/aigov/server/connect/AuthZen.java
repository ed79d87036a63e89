package dev.aigov.server.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ProtocolMessageEnum;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.ErrorReason;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.ProviderClass;
import dev.aigov.core.DecisionRequest;
import dev.aigov.server.grpc.StatusMapping;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The OpenID AuthZEN Authorization API 1.0 on the HTTP port: {@code POST /access/v1/evaluation},
 * {@code POST /access/v1/evaluations} and {@code GET /.well-known/authzen-configuration}, each
 * evaluation mapped onto one {@code EvaluateAiRequest} and made through the {@link ConnectBridge}, so
 * that it meets the same authentication, limits and audit as any other decision (docs/authzen.md has
 * the mapping and its limits).
 *
 * <p>Strict where a decision could turn on it: a key aigov does not read in {@code context}, in a
 * {@code properties} object or at the top level is refused (400, naming it), never ignored, so that a
 * misspelt {@code tenant_id} cannot turn into a decision made without the tenant. A BLOCK is {@code
 * "decision": false} with the decision's fields in {@code context}; an error is an HTTP error with
 * the Connect error body (and the AuthZEN name of the offending field), never {@code true}.
 */
final class AuthZen {
    static final String EVALUATION = "/access/v1/evaluation";
    static final String EVALUATIONS = "/access/v1/evaluations";
    static final String CONFIGURATION = "/.well-known/authzen-configuration";
    /** The one action aigov decides: an AI request on the resource's workspace. */
    static final String ACTION = "ai_request";
    static final String RESOURCE_TYPE = "workspace";
    /** The most evaluations one batch may carry: each is a decision of its own, audited. */
    static final int MAX_EVALUATIONS = 100;
    /** How many of a batch's evaluations are in flight at once (execute_all). */
    static final int BATCH_PARALLELISM = 8;
    private static final String REQUEST_ID_HEADER = "x-request-id";
    private static final String DECIDE = "aigov.v1.DecisionService/EvaluateAiRequest";
    private static final String PROBE = "aigov.v1.DecisionService/ListUseCases";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Printer DECISION = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();
    /** A request's own members: their errors name them as they are. */
    private static final Map<String, String> TOP = Map.of("subject", "", "action", "", "resource", "", "context", "");
    private static final Set<String> EVALUATION_KEYS = Set.of("subject", "action", "resource", "context");
    private static final Set<String> BATCH_KEYS = Set.of("subject", "action", "resource", "context", "evaluations", "options");
    private static final Set<String> CONTEXT_KEYS = Set.of("use_case", "provider_class", "data_classifications", "source_family",
            "caller_surface", "request_id");
    /** The request's fields by the name the service's errors give them, and the name an AuthZEN caller knows. */
    private static final Map<String, String> FIELDS = Map.ofEntries(Map.entry("workspace_id", "resource.id"),
            Map.entry("tenant_id", "resource.properties.tenant_id"), Map.entry("actor", "subject"), Map.entry("actor.id", "subject.id"),
            Map.entry("actor.kind", "subject.type"), Map.entry("use_case", "context.use_case"),
            Map.entry("provider_class", "context.provider_class"), Map.entry("data_classifications", "context.data_classifications"),
            Map.entry("source_family", "context.source_family"), Map.entry("caller_surface", "context.caller_surface"),
            Map.entry("request_id", "context.request_id"));

    /** How a batch runs, as {@code options.evaluations_semantic} says. */
    enum Semantic {
        EXECUTE_ALL, DENY_ON_FIRST_DENY, PERMIT_ON_FIRST_PERMIT
    }

    /** A request aigov refuses before any call: what is wrong, and where (its AuthZEN path). */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final String field;

        Refused(String field, String message) {
            super(message);
            this.field = field;
        }

        String field() {
            return field;
        }
    }

    /** One evaluation's outcome: the decision, or the call's error status. */
    private record Evaluated(Optional<Decision> decision, Status status, Metadata trailers) {
        boolean allowed() {
            return decision.isPresent() && decision.get().getOutcome() == Outcome.OUTCOME_ALLOW;
        }

        /**
         * An error about this evaluation's request (a field, a workspace the token does not reach, a
         * reused request_id), which a batch answers as that evaluation's {@code false}; not one about
         * the caller (no token, a missing capability) or the server (an outage, overload).
         */
        boolean itemError() {
            return switch (status.getCode()) {
                case INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS, OUT_OF_RANGE, ABORTED -> true;
                case PERMISSION_DENIED -> errorInfo(status, trailers).map(ErrorInfo::getReason)
                        .filter(ErrorReason.ERROR_REASON_WORKSPACE_NOT_PERMITTED.name()::equals).isPresent();
                default -> false;
            };
        }
    }

    private final ConnectBridge bridge;
    private final ConnectBridge.Route decide;
    private final ConnectBridge.Route probe;

    AuthZen(ConnectBridge bridge) {
        this.bridge = bridge;
        this.decide = bridge.route(DECIDE).orElseThrow(() -> new IllegalStateException("the bridge serves no " + DECIDE));
        this.probe = bridge.route(PROBE).orElseThrow(() -> new IllegalStateException("the bridge serves no " + PROBE));
    }

    static boolean serves(String path) {
        return path.equals(EVALUATION) || path.equals(EVALUATIONS) || path.equals(CONFIGURATION);
    }

    /**
     * The answer to the AuthZEN request {@code request} to {@code path}; {@code headers} are its
     * metadata (already filtered), {@code base} the URL this port is reached at.
     */
    CompletableFuture<FullHttpResponse> answer(FullHttpRequest request, String path, Metadata headers, InetSocketAddress remote,
            String base) {
        Optional<String> requestId = Optional.ofNullable(request.headers().get(REQUEST_ID_HEADER));
        return answer0(request, path, headers, remote, base).thenApply(response -> {
            requestId.ifPresent(id -> response.headers().set(REQUEST_ID_HEADER, id));
            return response;
        });
    }

    private CompletableFuture<FullHttpResponse> answer0(FullHttpRequest request, String path, Metadata headers, InetSocketAddress remote,
            String base) {
        if (path.equals(CONFIGURATION)) {
            if (!HttpMethod.GET.equals(request.method())) {
                return CompletableFuture.completedFuture(notAllowed("GET", request.method()));
            }
            ObjectNode metadata = JSON.createObjectNode();
            metadata.put("policy_decision_point", base);
            metadata.put("access_evaluation_endpoint", base + EVALUATION);
            metadata.put("access_evaluations_endpoint", base + EVALUATIONS);
            return CompletableFuture.completedFuture(json(HttpResponseStatus.OK, metadata));
        }
        if (!HttpMethod.POST.equals(request.method())) {
            return CompletableFuture.completedFuture(notAllowed("POST", request.method()));
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null || !contentType.split(";", 2)[0].strip().equalsIgnoreCase(ConnectHandler.JSON)) {
            return CompletableFuture.completedFuture(error(Status.Code.INVALID_ARGUMENT, "Content-Type must be application/json, not "
                    + contentType, Optional.empty()));
        }
        JsonNode body;
        List<EvaluateAiRequestRequest> evaluations;
        Semantic semantic;
        boolean batch;
        try {
            body = parse(request.content().toString(StandardCharsets.UTF_8));
            if (path.equals(EVALUATION)) {
                only(body, EVALUATION_KEYS, "");
                evaluations = List.of(evaluation(body, TOP));
                semantic = Semantic.EXECUTE_ALL;
                batch = false;
            } else {
                only(body, BATCH_KEYS, "");
                JsonNode items = body.path("evaluations");
                semantic = semantic(body.path("options"));
                if (items.isMissingNode() || items.isNull() || (items.isArray() && items.isEmpty())) {
                    // "An empty or absent evaluations array": the request is one evaluation, answered as one.
                    evaluations = List.of(evaluation(body, TOP));
                    batch = false;
                } else {
                    evaluations = batch(body, items);
                    batch = true;
                }
            }
        } catch (Refused refused) {
            // Refused only once the caller is known: an unauthenticated caller learns nothing of the request's shape.
            return authenticated(headers, remote).thenApply(failure -> failure.orElseGet(() -> error(Status.Code.INVALID_ARGUMENT,
                    refused.getMessage(), Optional.of(refused.field()))));
        }
        if (!batch) {
            return run(evaluations, semantic, headers, remote).thenApply(results -> single(results.getFirst()));
        }
        // The caller first, once: a batch from a caller that is not authenticated spends one unit of its address's budget, not one an evaluation.
        // ListUseCases, which every token may call: a probe that counts as no decision and no failed one.
        return authenticated(probe, new byte[0], headers, remote)
                .thenCompose(failure -> failure.isPresent() ? CompletableFuture.completedFuture(failure.get())
                        : run(evaluations, semantic, headers, remote).thenApply(AuthZen::batchAnswer));
    }

    /**
     * Empty when the caller of {@code headers} is authenticated; otherwise the refusal the gRPC port
     * gives it (and the failed-authentication budget counts it): a call whose message cannot parse
     * meets authentication first, as over gRPC.
     */
    private CompletableFuture<Optional<FullHttpResponse>> authenticated(Metadata headers, InetSocketAddress remote) {
        return authenticated(decide, ConnectHandler.UNPARSABLE, headers, remote);
    }

    /**
     * Empty when the caller of {@code headers} is authenticated, as a call of {@code route} with
     * {@code message} finds (its answer itself is not used); otherwise that refusal.
     */
    private CompletableFuture<Optional<FullHttpResponse>> authenticated(ConnectBridge.Route route, byte[] message, Metadata headers,
            InetSocketAddress remote) {
        return bridge.call(route, message, copy(headers), remote, Optional.empty()).thenApply(reply -> {
            Status.Code code = reply.status().getCode();
            if (code != Status.Code.INVALID_ARGUMENT && code != Status.Code.OK) {
                return Optional.of(error(reply.status(), reply.trailers()));
            }
            return Optional.empty();
        });
    }

    private CompletableFuture<List<Evaluated>> run(List<EvaluateAiRequestRequest> evaluations, Semantic semantic, Metadata headers,
            InetSocketAddress remote) {
        if (semantic == Semantic.EXECUTE_ALL) {
            // At most BATCH_PARALLELISM at once: one request of 100 evaluations does not take 100 of the server's slots.
            List<CompletableFuture<Evaluated>> calls = new ArrayList<>(evaluations.size());
            for (int i = 0; i < evaluations.size(); i++) {
                EvaluateAiRequestRequest evaluation = evaluations.get(i);
                CompletableFuture<?> after = i < BATCH_PARALLELISM ? CompletableFuture.completedFuture(null)
                        : calls.get(i - BATCH_PARALLELISM);
                calls.add(after.handle((ignored, failure) -> null).thenCompose(ignored -> evaluate(evaluation, copy(headers), remote)));
            }
            return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                    .thenApply(done -> calls.stream().map(CompletableFuture::join).toList());
        }
        // Short-circuit: in order, each after the one before, up to the first deny (or permit).
        CompletableFuture<List<Evaluated>> chain = CompletableFuture.completedFuture(new ArrayList<>());
        for (EvaluateAiRequestRequest evaluation : evaluations) {
            chain = chain.thenCompose(done -> {
                if (!done.isEmpty() && stops(done.getLast(), semantic)) {
                    return CompletableFuture.completedFuture(done);
                }
                return evaluate(evaluation, copy(headers), remote).thenApply(result -> {
                    done.add(result);
                    return done;
                });
            });
        }
        return chain;
    }

    private static boolean stops(Evaluated result, Semantic semantic) {
        boolean failed = !result.status().isOk() && !result.itemError();
        return failed || (semantic == Semantic.DENY_ON_FIRST_DENY ? !result.allowed() : result.allowed());
    }

    private CompletableFuture<Evaluated> evaluate(EvaluateAiRequestRequest evaluation, Metadata headers, InetSocketAddress remote) {
        return bridge.call(decide, evaluation.toByteArray(), headers, remote, Optional.empty()).thenApply(reply -> {
            if (!reply.status().isOk() || reply.response().isEmpty()) {
                Status status = reply.status().isOk() ? Status.INTERNAL.withDescription("the server answered no decision") : reply.status();
                return new Evaluated(Optional.empty(), status, reply.trailers());
            }
            try {
                return new Evaluated(Optional.of(EvaluateAiRequestResponse.parseFrom(reply.response().get()).getDecision()), Status.OK,
                        reply.trailers());
            } catch (InvalidProtocolBufferException e) {
                return new Evaluated(Optional.empty(), Status.INTERNAL.withDescription("the server answered no decision"),
                        new Metadata());
            }
        });
    }

    private static Metadata copy(Metadata headers) {
        Metadata copy = new Metadata();
        copy.merge(headers);
        return copy;
    }

    /** A single evaluation's answer: 200 with the decision, or the call's error. */
    private static FullHttpResponse single(Evaluated result) {
        if (!result.status().isOk()) {
            return error(result.status(), result.trailers());
        }
        return json(HttpResponseStatus.OK, decisionNode(result.decision().get()));
    }

    /**
     * A batch's answer: each evaluation's decision, an error about one evaluation's request as its
     * {@code false} (with the error in its context); an error about the caller or the server (no
     * token, overload, an outage) is the whole answer's, as for one evaluation.
     */
    private static FullHttpResponse batchAnswer(List<Evaluated> results) {
        for (Evaluated result : results) {
            if (!result.status().isOk() && !result.itemError()) {
                return error(result.status(), result.trailers());
            }
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode written = answer.putArray("evaluations");
        for (Evaluated result : results) {
            if (result.status().isOk()) {
                written.add(decisionNode(result.decision().get()));
            } else {
                ObjectNode denied = written.addObject();
                denied.put("decision", false);
                denied.putObject("context").set("error", errorNode(result.status(), result.trailers()));
            }
        }
        return json(HttpResponseStatus.OK, answer);
    }

    /** {@code {"decision": <ALLOW>, "context": <the Decision's fields, by their proto names>}}. */
    private static ObjectNode decisionNode(Decision decision) {
        ObjectNode node = JSON.createObjectNode();
        node.put("decision", decision.getOutcome() == Outcome.OUTCOME_ALLOW);
        try {
            // protobuf's JSON as it prints it, written into the answer as is (not parsed again).
            node.putRawValue("context", new RawValue(DECISION.print(decision)));
        } catch (InvalidProtocolBufferException impossible) {
            throw new IllegalStateException("a Decision that does not print as JSON", impossible);
        }
        return node;
    }

    private static FullHttpResponse error(Status status, Metadata trailers) {
        return json(HttpResponseStatus.valueOf(ConnectErrors.httpStatus(status.getCode())), errorNode(status, trailers));
    }

    private static FullHttpResponse error(Status.Code code, String message, Optional<String> field) {
        StatusRuntimeException refusal = StatusMapping.status(code, ErrorReason.ERROR_REASON_INVALID_FIELD, message,
                field.map(f -> Map.of("field", f)).orElse(Map.of()));
        return error(refusal.getStatus(), refusal.getTrailers());
    }

    /** The Connect error body, with the AuthZEN name of the field the error names (its ErrorInfo keeps the service's). */
    private static ObjectNode errorNode(Status status, Metadata trailers) {
        ObjectNode node = ConnectErrors.node(status, trailers);
        errorInfo(status, trailers).map(info -> info.getMetadataOrDefault("field", "")).filter(field -> !field.isEmpty())
                .ifPresent(field -> node.put("field", FIELDS.getOrDefault(field, field)));
        return node;
    }

    private static Optional<ErrorInfo> errorInfo(Status status, Metadata trailers) {
        for (com.google.protobuf.Any detail : StatusProto.fromStatusAndTrailers(status, trailers).getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                try {
                    return Optional.of(detail.unpack(ErrorInfo.class));
                } catch (InvalidProtocolBufferException unreadable) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static FullHttpResponse notAllowed(String allowed, HttpMethod method) {
        FullHttpResponse refused = error(Status.Code.UNIMPLEMENTED, "this AuthZEN endpoint takes " + allowed + ", not " + method,
                Optional.empty());
        refused.setStatus(HttpResponseStatus.METHOD_NOT_ALLOWED);
        refused.headers().set(HttpHeaderNames.ALLOW, allowed);
        return refused;
    }

    private static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, ConnectHandler.JSON);
        return response;
    }

    // The request's reading: AuthZEN's JSON onto EvaluateAiRequestRequest.

    private static JsonNode parse(String body) throws Refused {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Refused("", "the body is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new Refused("", "the body must be a JSON object");
        }
        return node;
    }

    private static Semantic semantic(JsonNode options) throws Refused {
        if (options.isMissingNode() || options.isNull()) {
            return Semantic.EXECUTE_ALL;
        }
        object(options, "options");
        only(options, Set.of("evaluations_semantic"), "options.");
        JsonNode named = options.path("evaluations_semantic");
        if (named.isMissingNode() || named.isNull()) {
            return Semantic.EXECUTE_ALL;
        }
        String name = text(named, "options.evaluations_semantic");
        for (Semantic semantic : Semantic.values()) {
            if (semantic.name().toLowerCase(Locale.ROOT).equals(name)) {
                return semantic;
            }
        }
        throw new Refused("options.evaluations_semantic", "options.evaluations_semantic must be execute_all, deny_on_first_deny or "
                + "permit_on_first_permit (got " + name + ")");
    }

    /** Each of {@code items} over the batch's defaults: an item's subject, action, resource or context replaces the default's. */
    private static List<EvaluateAiRequestRequest> batch(JsonNode body, JsonNode items) throws Refused {
        if (!items.isArray()) {
            throw new Refused("evaluations", "evaluations must be an array");
        }
        if (items.size() > MAX_EVALUATIONS) {
            throw new Refused("evaluations", "evaluations holds " + items.size() + " evaluations; at most " + MAX_EVALUATIONS
                    + " are taken in one request");
        }
        if (body.path("context").has("request_id")) {
            // One request_id names one decision: inherited by every evaluation, it would make all but one ALREADY_EXISTS.
            throw new Refused("context.request_id", "context.request_id cannot be a default of a batch: give each evaluation that "
                    + "needs one a context of its own");
        }
        List<EvaluateAiRequestRequest> evaluations = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String at = "evaluations[" + i + "]";
            JsonNode item = items.get(i);
            object(item, at);
            only(item, EVALUATION_KEYS, at + ".");
            ObjectNode merged = JSON.createObjectNode();
            Map<String, String> where = new java.util.HashMap<>();
            for (String key : EVALUATION_KEYS) {
                JsonNode value = item.has(key) ? item.get(key) : body.get(key);
                where.put(key, item.has(key) ? at + "." : "");
                if (value != null) {
                    merged.set(key, value);
                }
            }
            evaluations.add(evaluation(merged, where));
        }
        return evaluations;
    }

    /**
     * One evaluation; {@code where} holds, for each of its four members, what prefixes the names in
     * its errors ({@code evaluations[2].} for an item's own member in a batch, nothing for the request's).
     */
    private static EvaluateAiRequestRequest evaluation(JsonNode node, Map<String, String> prefixes) throws Refused {
        EvaluateAiRequestRequest.Builder request = EvaluateAiRequestRequest.newBuilder();
        String where = prefixes.get("subject");
        JsonNode subject = requiredObject(node, "subject", where);
        only(subject, Set.of("type", "id", "properties"), where + "subject.");
        noProperties(subject, where + "subject");
        String kind = requiredText(subject, "type", where + "subject.");
        ActorKind actorKind = switch (kind) {
            case "user" -> ActorKind.ACTOR_KIND_USER;
            case "service" -> ActorKind.ACTOR_KIND_SERVICE;
            default -> throw new Refused(where + "subject.type", where + "subject.type must be user or service (got " + kind + ")");
        };
        request.setActor(Actor.newBuilder().setKind(actorKind).setId(optionalText(subject, "id", where + "subject.")));

        where = prefixes.get("action");
        JsonNode action = requiredObject(node, "action", where);
        only(action, Set.of("name", "properties"), where + "action.");
        noProperties(action, where + "action");
        String name = requiredText(action, "name", where + "action.");
        if (!name.equals(ACTION)) {
            throw new Refused(where + "action.name", where + "action.name must be " + ACTION + ": aigov decides AI requests (got "
                    + name + ")");
        }

        where = prefixes.get("resource");
        JsonNode resource = requiredObject(node, "resource", where);
        only(resource, Set.of("type", "id", "properties"), where + "resource.");
        String type = requiredText(resource, "type", where + "resource.");
        if (!type.equals(RESOURCE_TYPE)) {
            throw new Refused(where + "resource.type", where + "resource.type must be " + RESOURCE_TYPE + " (got " + type + ")");
        }
        request.setWorkspaceId(optionalText(resource, "id", where + "resource."));
        JsonNode properties = resource.path("properties");
        if (!properties.isMissingNode() && !properties.isNull()) {
            object(properties, where + "resource.properties");
            only(properties, Set.of("tenant_id"), where + "resource.properties.");
            request.setTenantId(optionalText(properties, "tenant_id", where + "resource.properties."));
        }

        where = prefixes.get("context");
        JsonNode context = node.path("context");
        if (!context.isMissingNode() && !context.isNull()) {
            object(context, where + "context");
            only(context, CONTEXT_KEYS, where + "context.");
            String in = where + "context.";
            request.setUseCase(optionalText(context, "use_case", in));
            if (context.has("provider_class") && !context.get("provider_class").isNull()) {
                request.setProviderClass(vocabulary(context.get("provider_class"), in + "provider_class", "PROVIDER_CLASS_",
                        ProviderClass::valueOf, ProviderClass.values()));
            }
            JsonNode classifications = context.path("data_classifications");
            if (!classifications.isMissingNode() && !classifications.isNull()) {
                if (!classifications.isArray()) {
                    throw new Refused(in + "data_classifications", in + "data_classifications must be an array of classifications");
                }
                if (classifications.size() > DecisionRequest.MAX_CLASSIFICATIONS) {
                    throw new Refused(in + "data_classifications", in + "data_classifications declares " + classifications.size()
                            + " values; at most " + DecisionRequest.MAX_CLASSIFICATIONS + " are allowed");
                }
                for (int i = 0; i < classifications.size(); i++) {
                    request.addDataClassifications(vocabulary(classifications.get(i), in + "data_classifications[" + i + "]",
                            "DATA_CLASSIFICATION_", DataClassification::valueOf, DataClassification.values()));
                }
            }
            request.setSourceFamily(optionalText(context, "source_family", in));
            request.setCallerSurface(optionalText(context, "caller_surface", in));
            request.setRequestId(optionalText(context, "request_id", in));
        }
        return request.build();
    }

    /**
     * A vocabulary value: the enum's name ({@code PROVIDER_CLASS_LOCAL_PRIVATE}) or its short form in
     * lower case ({@code local_private}); {@code UNSPECIFIED} is neither.
     */
    private static <E extends Enum<E> & ProtocolMessageEnum> E vocabulary(JsonNode value, String field, String prefix,
            Function<String, E> byName, E[] all) throws Refused {
        String given = text(value, field);
        String name = given.startsWith(prefix) ? given
                : given.equals(given.toLowerCase(Locale.ROOT)) ? prefix + given.toUpperCase(Locale.ROOT) : "";
        for (E candidate : all) {
            if (candidate.name().equals(name) && served(candidate)) {
                return byName.apply(name);
            }
        }
        List<String> known = new ArrayList<>();
        for (E candidate : all) {
            if (served(candidate)) {
                known.add(candidate.name().substring(prefix.length()).toLowerCase(Locale.ROOT));
            }
        }
        throw new Refused(field, field + " must be one of " + String.join(", ", known) + " (or " + prefix + "...; got " + given + ")");
    }

    private static boolean served(Enum<?> value) {
        return !value.name().endsWith("_UNSPECIFIED") && !value.name().equals("UNRECOGNIZED");
    }

    private static JsonNode requiredObject(JsonNode node, String key, String where) throws Refused {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            throw new Refused(where + key, where + key + " is required");
        }
        object(value, where + key);
        return value;
    }

    private static String requiredText(JsonNode node, String key, String where) throws Refused {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            throw new Refused(where + key, where + key + " is required");
        }
        return text(value, where + key);
    }

    private static void object(JsonNode node, String field) throws Refused {
        if (!node.isObject()) {
            throw new Refused(field, field + " must be a JSON object");
        }
    }

    private static String text(JsonNode node, String field) throws Refused {
        if (!node.isTextual()) {
            throw new Refused(field, field + " must be a string");
        }
        return node.asText();
    }

    private static String optionalText(JsonNode node, String key, String where) throws Refused {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? "" : text(value, where + key);
    }

    /** A subject's or an action's {@code properties}: aigov reads none, so none may be given. */
    private static void noProperties(JsonNode node, String field) throws Refused {
        JsonNode properties = node.path("properties");
        if (!properties.isMissingNode() && !properties.isNull() && !(properties.isObject() && properties.isEmpty())) {
            throw new Refused(field + ".properties", field + ".properties is not read by aigov: leave it out");
        }
    }

    /** Refuses a key of {@code node} that is not in {@code known}, naming it. */
    private static void only(JsonNode node, Set<String> known, String where) throws Refused {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new Refused(where + name, where + name + " is not read by aigov (known: " + String.join(", ",
                        known.stream().sorted().toList()) + ")");
            }
        }
    }
}
