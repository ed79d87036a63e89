package dev.aigov.server.grpc;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.AuditServiceGrpc;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.GetExecutionControlRequest;
import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.ListExecutionControlHistoryRequest;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No input makes the server answer UNKNOWN or INTERNAL (nor hide a bug behind UNAVAILABLE): not
 * bytes that are no protobuf message, not an oversized message, not random field values. And a
 * call in flight when the server is stopped still gets its answer.
 */
@WithAigovServer
class RobustnessEndToEndTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    RobustnessEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    private static final String EVALUATE = "aigov.v1.DecisionService/EvaluateAiRequest";
    /** What a well-behaved server may answer to any input while its database is up. */
    private static final Set<Status.Code> ANSWERS_TO_ANY_INPUT = EnumSet.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.PERMISSION_DENIED, Status.Code.NOT_FOUND, Status.Code.ABORTED, Status.Code.ALREADY_EXISTS,
            Status.Code.RESOURCE_EXHAUSTED);

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** Sends {@code body} as the request message of {@code method}, as bytes, whatever they are. */
    private byte[] callWithRawBytes(String method, byte[] body, String token) {
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
        Channel channel = clients.channel();
        if (token != null) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
            channel = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        return ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
    }

    static Stream<Arguments> garbage() {
        byte[] randomBytes = new byte[64];
        new Random(7).nextBytes(randomBytes);
        return Stream.of(
                arguments("ff ff ff ff", HexFormat.of().parseHex("ffffffff")),
                arguments("tag zero", HexFormat.of().parseHex("00")),
                arguments("truncated string", HexFormat.of().parseHex("0a7f61")),
                arguments("invalid UTF-8 in workspace_id", HexFormat.of().parseHex("0a02c328")),
                arguments("end-group without start", HexFormat.of().parseHex("0c")),
                arguments("varint longer than ten bytes", HexFormat.of().parseHex("08ffffffffffffffffffffff01")),
                arguments("random bytes", randomBytes));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void bytesThatAreNoMessageAreInvalidArgument(String description, byte[] body) {
        assertThatThrownBy(() -> callWithRawBytes(EVALUATE, body, admin))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    ErrorInfo info = Clients.errorInfo(error);
                    assertThat(info.getDomain()).isEqualTo("aigov");
                    assertThat(info.getReason()).isEqualTo("ERROR_REASON_INVALID_FIELD");
                    assertThat(error.getStatus().getDescription()).contains(EVALUATE, "not a valid protobuf message");
                });
    }

    /** Sends {@code count} copies of a valid request on one unary call, then half-closes; returns how it ended. */
    private Status unaryCallWithMessages(int count) throws Exception {
        // A client may send any number of messages on a stream; declare it so, the server's method stays unary.
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.CLIENT_STREAMING).setFullMethodName(EVALUATE)
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + admin);
        io.grpc.ClientCall<byte[], byte[]> call =
                clients.channel().newCall(raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        java.util.concurrent.CompletableFuture<Status> closed = new java.util.concurrent.CompletableFuture<>();
        call.start(new io.grpc.ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, headers);
        call.request(2);
        byte[] valid = DecisionEndToEndTest.answerDraft(Clients.freshWorkspace()).build().toByteArray();
        for (int i = 0; i < count; i++) {
            call.sendMessage(valid);
        }
        call.halfClose();
        return closed.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aUnaryCallThatEndsWithoutARequestMessageIsInvalidArgument() throws Exception {
        Status status = unaryCallWithMessages(0);

        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains(EVALUATE);
    }

    static Stream<String> everyAigovMethod() {
        return Stream.of(DecisionServiceGrpc.getServiceDescriptor(), WorkspacePolicyServiceGrpc.getServiceDescriptor(),
                ExecutionControlServiceGrpc.getServiceDescriptor(), AuditServiceGrpc.getServiceDescriptor())
                .flatMap(service -> service.getMethods().stream())
                .map(MethodDescriptor::getFullMethodName);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyAigovMethod")
    void everyMethodAnswersGarbageWithInvalidArgumentAndWithoutATokenWithUnauthenticated(String method) {
        byte[] body = HexFormat.of().parseHex("0a7f61");

        assertThatThrownBy(() -> callWithRawBytes(method, body, admin))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        error -> assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        // The credential is checked first: an anonymous caller learns nothing about the body.
        assertThatThrownBy(() -> callWithRawBytes(method, body, null))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        error -> assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void garbageRequestIsNotAudited() {
        String workspace = freshWorkspace();

        // A valid message with its last byte cut off: nothing about it may be recorded.
        byte[] valid = DecisionEndToEndTest.answerDraft(workspace).build().toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 1);
        assertThatThrownBy(() -> callWithRawBytes(EVALUATE, truncated, admin)).isInstanceOf(StatusRuntimeException.class);

        assertThat(Clients.auditEventsForWorkspace(server.dataSource(), workspace)).isZero();
    }

    @Test
    void oversizedMessageIsRefusedAndTheServerStaysUp() {
        String workspace = freshWorkspace();
        EvaluateAiRequestRequest huge = DecisionEndToEndTest.answerDraft(workspace).setCallerSurface("x".repeat(1_200_000)).build();
        assertThat(huge.getSerializedSize()).isGreaterThan(1 << 20);

        assertThatThrownBy(() -> clients.decisions(admin).evaluateAiRequest(huge))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> assertThat(error.getStatus().getCode())
                        .isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> callWithRawBytes(EVALUATE, new byte[(1 << 20) + 1], admin))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> assertThat(error.getStatus().getCode())
                        .isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.INVALID_ARGUMENT));

        assertThat(Clients.auditEventsForWorkspace(server.dataSource(), workspace)).isZero();
        assertThat(clients.decisions(admin).listUseCases(ListUseCasesRequest.getDefaultInstance()).getUseCasesCount()).isPositive();
    }

    @Test
    void hugeUnknownControlKeyIsNotFoundWithAnErrorThatFitsInTheTrailers() {
        // The error message echoes the key; unabridged, it outgrew the client's header limit (INTERNAL).
        String key = "\u00e9".repeat(400_000);

        assertThatThrownBy(() -> clients.controls(admin).getExecutionControl(
                GetExecutionControlRequest.newBuilder().setControlKey(key).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_UNKNOWN_CONTROL_KEY");
                    assertThat(Clients.errorInfo(error).getMetadataMap()).containsEntry("field", "control_key");
                });
    }

    @Test
    void randomRequestsNeverYieldUnknownOrInternalAndEveryInvalidArgumentNamesItsField() {
        long seed = Long.getLong("aigov.fuzz.seed", System.nanoTime());
        String workspace = freshWorkspace();
        Fuzz fuzz = new Fuzz(new Random(seed), workspace);
        String limited = server.mintToken("fuzz-limited", Set.of("ai.decisions.evaluate", "workspace.ai_policy.view"),
                List.of(workspace));
        List<String> problems = new ArrayList<>();
        Map<Status.Code, Integer> answers = new EnumMap<>(Status.Code.class);

        for (int i = 0; i < 300 && problems.size() < 10; i++) {
            String token = fuzz.random.nextInt(5) == 0 ? limited : admin;
            Fuzz.Call call = fuzz.call(token);
            try {
                var unusedAnswer = call.send().get();
                answers.merge(Status.Code.OK, 1, Integer::sum);
            } catch (StatusRuntimeException error) {
                answers.merge(error.getStatus().getCode(), 1, Integer::sum);
                String problem = problem(error);
                if (problem != null) {
                    problems.add("#" + i + " " + call.method() + " "
                            + abbreviate(TextFormat.printer().emittingSingleLine(true).printToString(call.request()))
                            + "\n    -> " + error.getStatus().getCode() + ": " + abbreviate(error.getStatus().getDescription())
                            + "\n    " + problem);
                }
            }
        }

        assertThat(problems).as("seed %d (rerun with -Daigov.fuzz.seed=%d)", seed, seed).isEmpty();
        // Both the validation and what lies past it were reached.
        assertThat(answers).as("answers by status, seed %d", seed).containsKeys(Status.Code.OK, Status.Code.INVALID_ARGUMENT);
        assertThat(clients.decisions(admin).listUseCases(ListUseCasesRequest.getDefaultInstance()).getUseCasesCount()).isPositive();
    }

    /** What is wrong with this error as an answer to any input, or null if nothing is. */
    private static String problem(StatusRuntimeException error) {
        Status.Code code = error.getStatus().getCode();
        if (!ANSWERS_TO_ANY_INPUT.contains(code)) {
            return "unexpected status code " + code;
        }
        if (code == Status.Code.RESOURCE_EXHAUSTED) {
            return null; // the transport's message-size limit; it carries no ErrorInfo
        }
        try {
            ErrorInfo info = Clients.errorInfo(error);
            if (code == Status.Code.INVALID_ARGUMENT && info.getMetadataOrDefault("field", "").isEmpty()) {
                return "INVALID_ARGUMENT without a field: " + info;
            }
            return null;
        } catch (AssertionError missing) {
            return missing.getMessage();
        }
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 300 ? text : text.substring(0, 300) + "…(" + text.length() + " chars)";
    }

    /** Random requests for every aigov RPC: valid, almost valid and absurd field values mixed. */
    private final class Fuzz {
        private final Random random;
        private final String limitedTokensWorkspace;
        /** A few request ids used over and over, so that replays and reuses happen too. */
        private final List<String> requestIds = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());

        Fuzz(Random random, String limitedTokensWorkspace) {
            this.random = random;
            this.limitedTokensWorkspace = limitedTokensWorkspace;
        }

        record Call(String method, Message request, Supplier<Message> send) {
        }

        Call call(String token) {
            return switch (random.nextInt(8)) {
                case 0, 1, 2 -> {
                    EvaluateAiRequestRequest request = evaluate();
                    yield new Call("EvaluateAiRequest", request, () -> clients.decisions(token).evaluateAiRequest(request));
                }
                case 3 -> {
                    SetWorkspacePolicyRequest.Builder request = SetWorkspacePolicyRequest.newBuilder()
                            .setWorkspaceId(text()).setPolicyModeValue(enumNumber()).setReason(text()).setRequestId(requestId());
                    if (random.nextBoolean()) {
                        request.setExpectedVersion(random.nextLong(-3, 4));
                    }
                    SetWorkspacePolicyRequest built = request.build();
                    yield new Call("SetWorkspacePolicy", built, () -> clients.policies(token).setWorkspacePolicy(built));
                }
                case 4 -> {
                    SetExecutionControlRequest.Builder request = SetExecutionControlRequest.newBuilder()
                            .setControlKey(random.nextInt(3) == 0 ? text() : "ai.execution")
                            // Never the global scope: other tests share this database.
                            .setWorkspaceId(nonEmpty(text()))
                            .setStateValue(enumNumber()).setReason(text()).setRequestId(requestId());
                    if (random.nextBoolean()) {
                        request.setExpectedVersion(random.nextLong(-3, 4));
                    }
                    SetExecutionControlRequest built = request.build();
                    yield new Call("SetExecutionControl", built, () -> clients.controls(token).setExecutionControl(built));
                }
                case 5 -> {
                    GetWorkspacePolicyRequest request = GetWorkspacePolicyRequest.newBuilder().setWorkspaceId(text()).build();
                    yield new Call("GetWorkspacePolicy", request, () -> clients.policies(token).getWorkspacePolicy(request));
                }
                case 6 -> {
                    if (random.nextBoolean()) {
                        GetExecutionControlRequest request = GetExecutionControlRequest.newBuilder()
                                .setControlKey(random.nextBoolean() ? text() : "ai.execution").setWorkspaceId(text()).build();
                        yield new Call("GetExecutionControl", request, () -> clients.controls(token).getExecutionControl(request));
                    }
                    ListExecutionControlHistoryRequest request = ListExecutionControlHistoryRequest.newBuilder()
                            .setControlKey(random.nextBoolean() ? text() : "ai.execution").setWorkspaceId(text())
                            .setPageSize(pageSize()).setPageToken(pageToken()).build();
                    yield new Call("ListExecutionControlHistory", request,
                            () -> clients.controls(token).listExecutionControlHistory(request));
                }
                default -> {
                    ListAuditEventsRequest.Builder request = ListAuditEventsRequest.newBuilder()
                            .setWorkspaceId(random.nextBoolean() ? "" : text()).setKindValue(enumNumber())
                            .setOutcomeValue(enumNumber()).setPageSize(pageSize()).setPageToken(pageToken());
                    if (random.nextBoolean()) {
                        request.setStartTime(timestamp());
                    }
                    if (random.nextBoolean()) {
                        request.setEndTime(timestamp());
                    }
                    ListAuditEventsRequest built = request.build();
                    yield new Call("ListAuditEvents", built, () -> clients.audit(token).listAuditEvents(built));
                }
            };
        }

        private EvaluateAiRequestRequest evaluate() {
            // Start from a valid request and break some of its fields, so that the rules are reached too.
            EvaluateAiRequestRequest.Builder request = DecisionEndToEndTest.answerDraft(
                    random.nextBoolean() ? limitedTokensWorkspace : freshWorkspace());
            if (random.nextBoolean()) {
                request.setWorkspaceId(text());
            }
            if (random.nextBoolean()) {
                request.setTenantId(text());
            }
            if (random.nextBoolean()) {
                request.setUseCase(text());
            }
            if (random.nextBoolean()) {
                request.setProviderClassValue(enumNumber());
            }
            if (random.nextBoolean()) {
                request.clearDataClassifications();
                int count = random.nextInt(0, 40);
                for (int i = 0; i < count; i++) {
                    request.addDataClassificationsValue(enumNumber());
                }
            }
            if (random.nextBoolean()) {
                request.setSourceFamily(text());
            }
            switch (random.nextInt(4)) {
                case 0 -> request.clearActor();
                case 1 -> request.setActor(Actor.newBuilder().setId(text()).setKindValue(enumNumber()));
                default -> {
                }
            }
            if (random.nextBoolean()) {
                request.setCallerSurface(text());
            }
            if (random.nextBoolean()) {
                request.setRequestId(requestId());
            }
            return request.build();
        }

        private String text() {
            return switch (random.nextInt(14)) {
                case 0 -> "";
                case 1 -> "fuzz-" + UUID.randomUUID();
                case 2 -> "x".repeat(128);
                case 3 -> "x".repeat(129);
                case 4 -> "y".repeat(random.nextInt(50_000, 300_000));
                case 5 -> unicode(random.nextInt(1, 300));
                case 6 -> unicode(random.nextInt(10_000, 60_000));
                case 7 -> ascii(random.nextInt(1, 200));
                case 8 -> List.of("product_knowledge.answer_draft", "support_diagnostics.summary_draft", "product_knowledge",
                        "support_diagnostics", "ai.execution").get(random.nextInt(5));
                case 9 -> " fuzz-" + random.nextInt() + " ";
                case 10 -> "\u0000";
                case 11 -> UUID.randomUUID().toString();
                case 12 -> "%s%n%x' OR '1'='1";
                default -> "fuzz-" + random.nextInt(1000);
            };
        }

        private String nonEmpty(String text) {
            return text.isEmpty() ? "fuzz-" + UUID.randomUUID() : text;
        }

        private String unicode(int length) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                int codePoint = switch (random.nextInt(6)) {
                    case 0 -> random.nextInt(0, 0x20); // control characters, NUL included
                    case 1 -> random.nextInt(0x80, 0x800); // two-byte UTF-8
                    case 2 -> random.nextInt(0xE000, 0x10000); // private use, specials, noncharacters
                    case 3 -> random.nextInt(0x1F600, 0x1F650); // emoji, outside the BMP
                    case 4 -> random.nextInt(0x200B, 0x2070); // zero-width and bidi controls
                    default -> random.nextInt(0x20, 0x7F);
                };
                text.appendCodePoint(codePoint);
            }
            return text.toString();
        }

        private String ascii(int length) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                text.append((char) random.nextInt(0x20, 0x7F));
            }
            return text.toString();
        }

        private int enumNumber() {
            return switch (random.nextInt(6)) {
                case 0 -> Integer.MIN_VALUE;
                case 1 -> Integer.MAX_VALUE;
                case 2 -> random.nextInt();
                default -> random.nextInt(-2, 9);
            };
        }

        private String requestId() {
            return switch (random.nextInt(4)) {
                case 0 -> "";
                case 1 -> text();
                default -> requestIds.get(random.nextInt(requestIds.size()));
            };
        }

        private int pageSize() {
            return switch (random.nextInt(4)) {
                case 0 -> random.nextInt();
                case 1 -> 0;
                default -> random.nextInt(-1, 502);
            };
        }

        private String pageToken() {
            return switch (random.nextInt(4)) {
                case 0 -> "";
                case 1 -> text();
                default -> {
                    byte[] bytes = new byte[random.nextBoolean() ? 36 : random.nextInt(0, 64)];
                    random.nextBytes(bytes);
                    yield Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                }
            };
        }

        private Timestamp timestamp() {
            long seconds = switch (random.nextInt(4)) {
                case 0 -> random.nextLong();
                case 1 -> Long.MIN_VALUE;
                default -> System.currentTimeMillis() / 1000 + random.nextLong(-86_400, 86_400);
            };
            int nanos = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(1_000_000_000);
            return Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
        }
    }

    @Test
    void inFlightCallCompletesAfterStopWhileNewCallsAreRefused() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestServer draining = TestServer.start(new HoldEvaluate(arrived, release));
        try (Clients drainingClients = new Clients(draining)) {
            String token = draining.adminToken();
            String workspace = freshWorkspace();
            drainingClients.policies(token).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder()
                    .setWorkspaceId(workspace).setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
            Future<EvaluateAiRequestResponse> inFlight = Clients.withToken(DecisionServiceGrpc.newFutureStub(drainingClients.channel()),
                    token).evaluateAiRequest(DecisionEndToEndTest.answerDraft(workspace).build());
            assertThat(arrived.await(10, TimeUnit.SECONDS)).as("the call reached the service").isTrue();

            Thread stopping = Thread.ofPlatform().name("stopping-test-server").start(draining::stop);
            try {
                assertThat(awaitNewCallsRefused(draining.target(), token, Duration.ofSeconds(5)))
                        .isEqualTo(Status.Code.UNAVAILABLE);
            } finally {
                release.countDown();
            }

            assertThat(inFlight.get(10, TimeUnit.SECONDS).getDecision().getOutcome()).isEqualTo(Outcome.OUTCOME_ALLOW);
            stopping.join(Duration.ofSeconds(10));
            assertThat(stopping.isAlive()).isFalse();
        } finally {
            release.countDown();
            draining.stop();
        }
    }

    /** Polls with fresh connections until one is refused; returns how (or OK if none was by the deadline). */
    private static Status.Code awaitNewCallsRefused(String target, String token, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            ManagedChannel fresh = NettyChannelBuilder.forTarget(target).usePlaintext().build();
            try {
                Clients.withToken(DecisionServiceGrpc.newBlockingStub(fresh), token).listUseCases(ListUseCasesRequest.getDefaultInstance());
            } catch (StatusRuntimeException refused) {
                return refused.getStatus().getCode();
            } finally {
                fresh.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // poll, not spin: two cores are shared with the server
        }
        return Status.Code.OK;
    }

    /**
     * Holds EvaluateAiRequest calls, once their request has arrived, until released, as a slow call
     * is held: without blocking the thread that delivered it (a decision may be delivered on a
     * transport thread, which serves other connections too). The call goes on, on a thread of its own.
     */
    private record HoldEvaluate(CountDownLatch arrived, CountDownLatch release) implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            ServerCall.Listener<Q> listener = next.startCall(call, headers);
            if (!call.getMethodDescriptor().getFullMethodName().equals(EVALUATE)) {
                return listener;
            }
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                @Override
                public void onHalfClose() {
                    arrived.countDown();
                    Thread.ofPlatform().name("held-evaluate").start(() -> {
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        super.onHalfClose();
                    });
                }
            };
        }
    }
}
