package dev.aigov.server.grpc;

import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.AuditServiceGrpc;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.GetExecutionControlRequest;
import dev.aigov.api.v1.GetWorkspacePolicyRequest;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.ListExecutionControlHistoryRequest;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SetExecutionControlRequest;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import dev.aigov.server.identity.Tokens;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.AuditRows;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every aigov RPC needs {@code authorization: Bearer <token>}; health and reflection need none.
 * Exercised over a real channel against the real server and database.
 */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY)
class AuthenticationEndToEndTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    AuthenticationEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final List<ServiceDescriptor> AIGOV_SERVICES = List.of(
            DecisionServiceGrpc.getServiceDescriptor(),
            WorkspacePolicyServiceGrpc.getServiceDescriptor(),
            ExecutionControlServiceGrpc.getServiceDescriptor(),
            AuditServiceGrpc.getServiceDescriptor());

    /** Every method of the four aigov services, read from their descriptors so that a new RPC is covered too. */
    static Stream<MethodDescriptor<?, ?>> everyAigovMethod() {
        return AIGOV_SERVICES.stream().flatMap(service -> service.getMethods().stream());
    }

    static Stream<Arguments> everyMethodWithEveryBadHeader() {
        List<String> badHeaders = List.of("Basic x", "Bearer", "Bearer not-a-token", "Bearer " + Tokens.newToken());
        return everyAigovMethod().flatMap(method -> badHeaders.stream().map(header -> arguments(method.getFullMethodName(), header)));
    }

    @Test
    void theFourServicesHaveElevenMethods() {
        // Guards the parameterised tests below against silently covering nothing.
        assertThat(everyAigovMethod().map(MethodDescriptor::getFullMethodName)).containsExactlyInAnyOrder(
                "aigov.v1.DecisionService/EvaluateAiRequest",
                "aigov.v1.DecisionService/ListUseCases",
                "aigov.v1.WorkspacePolicyService/SetWorkspacePolicy",
                "aigov.v1.WorkspacePolicyService/GetWorkspacePolicy",
                "aigov.v1.WorkspacePolicyService/PreviewWorkspacePolicyChange",
                "aigov.v1.ExecutionControlService/SetExecutionControl",
                "aigov.v1.ExecutionControlService/GetExecutionControl",
                "aigov.v1.ExecutionControlService/ListExecutionControlHistory",
                "aigov.v1.ExecutionControlService/PreviewExecutionControlChange",
                "aigov.v1.AuditService/ListAuditEvents",
                "aigov.v1.AuditService/ExportAuditEvents");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyAigovMethodName")
    void everyRpcWithoutATokenIsUnauthenticatedWithMissingCredential(String method) {
        assertThatThrownBy(() -> callWithDefaultRequest(method, null))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(error.getStatus().getDescription()).contains("authorization: Bearer <token>");
                    ErrorInfo info = Clients.errorInfo(error);
                    assertThat(info.getDomain()).isEqualTo("aigov");
                    assertThat(info.getReason()).isEqualTo("ERROR_REASON_MISSING_CREDENTIAL");
                });
    }

    static Stream<String> everyAigovMethodName() {
        return everyAigovMethod().map(MethodDescriptor::getFullMethodName);
    }

    @ParameterizedTest(name = "{0} with \"{1}\"")
    @MethodSource("everyMethodWithEveryBadHeader")
    void everyRpcWithAMalformedOrUnknownCredentialIsUnauthenticatedWithInvalidCredential(String method, String header) {
        assertThatThrownBy(() -> callWithDefaultRequest(method, header))
                .isInstanceOfSatisfying(StatusRuntimeException.class, error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    ErrorInfo info = Clients.errorInfo(error);
                    assertThat(info.getDomain()).isEqualTo("aigov");
                    assertThat(info.getReason()).isEqualTo("ERROR_REASON_INVALID_CREDENTIAL");
                });
    }

    @Test
    void aRevokedTokenIsRefusedWithinTheStalenessBound() throws InterruptedException {
        String name = "revoked-" + UUID.randomUUID().toString().substring(0, 8);
        String token = server.tokens().create(name, Set.of("ai.decisions.evaluate"), List.of()).token();
        assertThat(clients.decisions(token).listUseCases(ListUseCasesRequest.getDefaultInstance()).getUseCasesCount()).isPositive();

        assertThat(server.tokens().revoke(name)).isTrue();

        // Tokens are held in memory; the revocation reaches it by notification, within AIGOV_MAX_STALENESS
        // (1 s; the rest is slack for a loaded machine).
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        while (true) {
            try {
                clients.decisions(token).listUseCases(ListUseCasesRequest.getDefaultInstance());
            } catch (StatusRuntimeException error) {
                assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(Clients.errorInfo(error).getReason()).isEqualTo("ERROR_REASON_INVALID_CREDENTIAL");
                break;
            }
            assertThat(System.nanoTime()).as("refused within the staleness bound").isLessThan(deadline);
            Thread.sleep(5); // pacing only: the deadline decides
        }
    }

    @Test
    void headerSchemeIsCaseInsensitiveAsHttpSays() {
        String token = server.mintToken("scheme", Set.of("audit.read"), List.of());

        int useCases = Clients.withToken(DecisionServiceGrpc.newBlockingStub(withHeader(clients.channel(), "bearer " + token)), null)
                .listUseCases(ListUseCasesRequest.getDefaultInstance()).getUseCasesCount();

        assertThat(useCases).isPositive();
    }

    @ParameterizedTest(name = "service \"{0}\"")
    @ValueSource(strings = {"", "aigov.v1.DecisionService", "aigov.v1.WorkspacePolicyService",
            "aigov.v1.ExecutionControlService", "aigov.v1.AuditService"})
    void healthAnswersServingWithoutAToken(String service) {
        HealthCheckResponse response = HealthGrpc.newBlockingStub(clients.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build());

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void reflectionV1ListsTheFourServicesAndDescribesThemWithoutAToken() throws Exception {
        var stub = io.grpc.reflection.v1.ServerReflectionGrpc.newStub(clients.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
        List<io.grpc.reflection.v1.ServerReflectionResponse> answers = reflect(stub::serverReflectionInfo, List.of(
                io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("*").build(),
                io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setFileContainingSymbol("aigov.v1.DecisionService").build()));

        assertThat(answers.get(0).getListServicesResponse().getServiceList())
                .extracting(io.grpc.reflection.v1.ServiceResponse::getName)
                .contains("aigov.v1.DecisionService", "aigov.v1.WorkspacePolicyService",
                        "aigov.v1.ExecutionControlService", "aigov.v1.AuditService");
        // grpcurl's "describe" and "invoke by name" need the file descriptors, not only the names.
        assertThat(answers.get(1).hasErrorResponse()).as("%s", answers.get(1).getErrorResponse()).isFalse();
        assertThat(answers.get(1).getFileDescriptorResponse().getFileDescriptorProtoCount()).isPositive();
        // Every field has its JSON name, as protoc writes it into a descriptor set: a client that takes
        // JSON names from reflection alone (connect-es) needs it; the descriptors generated for Java lack it.
        List<com.google.protobuf.DescriptorProtos.FieldDescriptorProto> fields = new java.util.ArrayList<>();
        for (com.google.protobuf.ByteString file : answers.get(1).getFileDescriptorResponse().getFileDescriptorProtoList()) {
            com.google.protobuf.DescriptorProtos.FileDescriptorProto proto = com.google.protobuf.DescriptorProtos.FileDescriptorProto
                    .parseFrom(file);
            proto.getMessageTypeList().forEach(message -> fields.addAll(message.getFieldList()));
            if (proto.getName().equals("aigov/v1/decision.proto")) {
                assertThat(proto.getMessageTypeList().stream().filter(m -> m.getName().equals("EvaluateAiRequestRequest")).findFirst()
                        .orElseThrow().getField(0).getJsonName()).isEqualTo("workspaceId");
            }
        }
        assertThat(fields).isNotEmpty().allSatisfy(field -> assertThat(field.hasJsonName()).as(field.getName()).isTrue());
    }

    @Test
    @SuppressWarnings("deprecation")
    void reflectionV1AlphaListsTheFourServicesWithoutAToken() throws Exception {
        var stub = io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(clients.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
        List<io.grpc.reflection.v1alpha.ServerReflectionResponse> answers = reflect(stub::serverReflectionInfo, List.of(
                io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("*").build()));

        assertThat(answers.get(0).getListServicesResponse().getServiceList())
                .extracting(io.grpc.reflection.v1alpha.ServiceResponse::getName)
                .contains("aigov.v1.DecisionService", "aigov.v1.WorkspacePolicyService",
                        "aigov.v1.ExecutionControlService", "aigov.v1.AuditService");
    }

    static Stream<Arguments> unauthenticatedMutations() {
        return Stream.of(
                arguments("aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", null, "ERROR_REASON_MISSING_CREDENTIAL"),
                arguments("aigov.v1.ExecutionControlService/SetExecutionControl", null, "ERROR_REASON_MISSING_CREDENTIAL"),
                arguments("aigov.v1.WorkspacePolicyService/SetWorkspacePolicy", "Bearer " + Tokens.newToken(),
                        "ERROR_REASON_INVALID_CREDENTIAL"),
                arguments("aigov.v1.ExecutionControlService/SetExecutionControl", "Basic x", "ERROR_REASON_INVALID_CREDENTIAL"));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("unauthenticatedMutations")
    void unauthenticatedMutationIsAuditedAsMutationDenied(String method, String header, String reason) {
        int before = deniedUnauthenticated(method, reason);

        assertThatThrownBy(() -> call(method, mutationRequest(method), header))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        error -> assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

        // The refusal is recorded before it is answered, so it is there as soon as the caller knows.
        assertThat(deniedUnauthenticated(method, reason)).isEqualTo(before + 1);
    }

    @Test
    void unauthenticatedReadsAreNotAudited() {
        List<Message> reads = List.of(
                ListUseCasesRequest.getDefaultInstance(),
                GetWorkspacePolicyRequest.newBuilder().setWorkspaceId(freshWorkspace()).build(),
                GetExecutionControlRequest.newBuilder().setControlKey("ai.execution").build(),
                ListExecutionControlHistoryRequest.newBuilder().setControlKey("ai.execution").build(),
                ListAuditEventsRequest.getDefaultInstance());
        List<String> methods = List.of(
                DecisionServiceGrpc.getListUseCasesMethod().getFullMethodName(),
                WorkspacePolicyServiceGrpc.getGetWorkspacePolicyMethod().getFullMethodName(),
                ExecutionControlServiceGrpc.getGetExecutionControlMethod().getFullMethodName(),
                ExecutionControlServiceGrpc.getListExecutionControlHistoryMethod().getFullMethodName(),
                AuditServiceGrpc.getListAuditEventsMethod().getFullMethodName());
        int before = unauthenticatedAuditEvents();

        for (int i = 0; i < reads.size(); i++) {
            for (String header : new String[]{null, "Bearer " + Tokens.newToken()}) {
                int index = i;
                assertThatThrownBy(() -> call(methods.get(index), reads.get(index), header))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                error -> assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
            }
        }

        assertThat(unauthenticatedAuditEvents()).isEqualTo(before);
    }

    private static Message mutationRequest(String method) {
        // Requests that would take effect if the credential were accepted, scoped to a fresh workspace.
        if (method.endsWith("/SetWorkspacePolicy")) {
            return SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(freshWorkspace())
                    .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build();
        }
        return SetExecutionControlRequest.newBuilder().setControlKey("ai.execution").setWorkspaceId(freshWorkspace())
                .setState(ControlState.CONTROL_STATE_PAUSED).setReason("unauthenticated attempt").build();
    }

    /** Calls {@code method} with its request type's default instance. */
    private Object callWithDefaultRequest(String method, String authorization) {
        MethodDescriptor<?, ?> descriptor = descriptor(method);
        Object prototype = ((MethodDescriptor.PrototypeMarshaller<?>) descriptor.getRequestMarshaller()).getMessagePrototype();
        return call(method, prototype, authorization);
    }

    @SuppressWarnings("unchecked")
    private Object call(String method, Object request, String authorization) {
        MethodDescriptor<Object, Object> descriptor = (MethodDescriptor<Object, Object>) descriptor(method);
        Channel channel = authorization == null ? clients.channel() : withHeader(clients.channel(), authorization);
        return ClientCalls.blockingUnaryCall(channel, descriptor, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
    }

    private static MethodDescriptor<?, ?> descriptor(String method) {
        return everyAigovMethod().filter(candidate -> candidate.getFullMethodName().equals(method)).findFirst().orElseThrow();
    }

    private static Channel withHeader(Channel channel, String authorization) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, authorization);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** Sends {@code requests} on one reflection stream and returns the answers, in order. */
    private static <Q, R> List<R> reflect(Function<StreamObserver<R>, StreamObserver<Q>> open, List<Q> requests) throws Exception {
        List<R> answers = new ArrayList<>();
        CompletableFuture<List<R>> done = new CompletableFuture<>();
        StreamObserver<Q> outbound = open.apply(new StreamObserver<>() {
            @Override
            public void onNext(R answer) {
                answers.add(answer);
            }

            @Override
            public void onError(Throwable failure) {
                done.completeExceptionally(failure);
            }

            @Override
            public void onCompleted() {
                done.complete(answers);
            }
        });
        requests.forEach(outbound::onNext);
        outbound.onCompleted();
        List<R> result = done.get(10, TimeUnit.SECONDS);
        assertThat(result).hasSize(requests.size());
        return result;
    }

    private int deniedUnauthenticated(String method, String errorReason) {
        return AuditRows.countOf(server.dataSource(), "SELECT count(*) FROM audit_events WHERE kind = 'mutation_denied' AND method = ?"
                + " AND status_code = 'UNAUTHENTICATED' AND error_reason = ? AND principal IS NULL", method, errorReason);
    }

    /** Events with no principal: only an unauthenticated caller leaves those. */
    private int unauthenticatedAuditEvents() {
        return AuditRows.countOf(server.dataSource(), "SELECT count(*) FROM audit_events WHERE principal IS NULL");
    }
}
