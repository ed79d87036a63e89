package dev.aigov.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.AuditServiceGrpc;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.ListAuditEventsRequest;
import dev.aigov.api.v1.ListAuditEventsResponse;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.ListUseCasesResponse;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.Principal;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.RepositoryFiles;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The one table of which method needs which capability: it names every method of every aigov
 * service, and the interceptor refuses a caller without the capability, and a method the table
 * does not name, before any handler runs. In process: no socket and no database is the point.
 */
class AuthorizationTest {
    private static final List<ServiceDescriptor> SERVICES = List.of(DecisionServiceGrpc.getServiceDescriptor(),
            WorkspacePolicyServiceGrpc.getServiceDescriptor(), ExecutionControlServiceGrpc.getServiceDescriptor(),
            AuditServiceGrpc.getServiceDescriptor());

    @Test
    void everyMethodOfEveryServiceDescriptorIsInTheTable() {
        List<String> methods = SERVICES.stream().flatMap(service -> service.getMethods().stream())
                .map(MethodDescriptor::getFullMethodName).toList();

        assertThat(methods).hasSize(11);
        assertThat(Authorization.methods()).containsExactlyInAnyOrderElementsOf(methods);
        SERVICES.forEach(Authorization::requireRowsFor);
    }

    @Test
    void everyRpcTheContractDeclaresIsInTheTable() throws IOException {
        // A service in a new .proto file has no generated class the test above knows of: read the contract itself.
        Path contract = RepositoryFiles.deployDir().resolveSibling("proto/src/main/proto/aigov/v1");
        List<String> declared = new ArrayList<>();
        Pattern serviceOrRpc = Pattern.compile("^\\s*(service|rpc)\\s+(\\w+)", Pattern.MULTILINE);
        try (Stream<Path> files = Files.list(contract)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".proto")).sorted().toList()) {
                String service = null;
                Matcher matcher = serviceOrRpc.matcher(Files.readString(file));
                while (matcher.find()) {
                    if (matcher.group(1).equals("service")) {
                        service = matcher.group(2);
                    } else {
                        declared.add("aigov.v1." + service + "/" + matcher.group(2));
                    }
                }
            }
        }

        assertThat(declared).containsExactlyInAnyOrderElementsOf(Authorization.methods());
    }

    @Test
    void theTwoSetMethodsAreTheMutationsWhoseRefusalsAreAudited() {
        assertThat(Authorization.methods().stream().filter(Authorization::isMutation)).containsExactlyInAnyOrder(
                WorkspacePolicyServiceGrpc.getSetWorkspacePolicyMethod().getFullMethodName(),
                ExecutionControlServiceGrpc.getSetExecutionControlMethod().getFullMethodName());
    }

    @Test
    void aServiceWithAMethodTheTableDoesNotNameCannotBeServed() {
        assertThatThrownBy(() -> Authorization.requireRowsFor(undeclaredService(new AtomicInteger()).getServiceDescriptor()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("aigov.v1.DecisionService/Undeclared");
    }

    @Test
    void aMethodTheTableDoesNotNameIsRefusedWhateverTheCallerHolds() {
        AtomicInteger handled = new AtomicInteger();

        StatusRuntimeException refused = served(undeclaredService(handled), holding(Set.of(Capability.values())),
                channel -> catchThrowableOfType(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel, UNDECLARED,
                        CallOptions.DEFAULT, ListUseCasesRequest.getDefaultInstance())));

        assertThat(refused).isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused.getStatus().getDescription()).contains("aigov.v1.DecisionService/Undeclared");
        assertThat(handled).hasValue(0);
    }

    @Test
    void aCallerWithoutTheCapabilityIsRefusedNamingItAndTheHandlerNeverRuns() {
        AtomicInteger handled = new AtomicInteger();

        StatusRuntimeException refused = served(auditService(handled), holding(Set.of(Capability.AI_DECISIONS_EVALUATE)),
                channel -> catchThrowableOfType(StatusRuntimeException.class,
                        () -> AuditServiceGrpc.newBlockingStub(channel).listAuditEvents(ListAuditEventsRequest.getDefaultInstance())));

        assertThat(refused).isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(refused.getStatus().getDescription()).isEqualTo("token 'tester' lacks the capability audit.read");
        ErrorInfo info = Clients.errorInfo(refused);
        assertThat(info.getReason()).isEqualTo("ERROR_REASON_MISSING_CAPABILITY");
        assertThat(info.getMetadataMap()).containsExactlyEntriesOf(java.util.Map.of("capability", "audit.read"));
        assertThat(handled).hasValue(0);
    }

    @Test
    void aCallerWithTheCapabilityReachesTheHandler() {
        AtomicInteger handled = new AtomicInteger();

        ListAuditEventsResponse answer = served(auditService(handled), holding(Set.of(Capability.AUDIT_READ)),
                channel -> AuditServiceGrpc.newBlockingStub(channel).listAuditEvents(ListAuditEventsRequest.getDefaultInstance()));

        assertThat(answer).isEqualTo(ListAuditEventsResponse.getDefaultInstance());
        assertThat(handled).hasValue(1);
    }

    @Test
    void aMethodForAnyValidTokenNeedsNoCapability() {
        AtomicInteger handled = new AtomicInteger();
        ServerServiceDefinition useCases = ServerServiceDefinition.builder(DecisionServiceGrpc.SERVICE_NAME)
                .addMethod(DecisionServiceGrpc.getListUseCasesMethod(), ServerCalls.asyncUnaryCall(
                        (ListUseCasesRequest request, StreamObserver<ListUseCasesResponse> observer) -> {
                            handled.incrementAndGet();
                            observer.onNext(ListUseCasesResponse.getDefaultInstance());
                            observer.onCompleted();
                        }))
                .build();

        served(useCases, holding(Set.of()),
                channel -> DecisionServiceGrpc.newBlockingStub(channel).listUseCases(ListUseCasesRequest.getDefaultInstance()));

        assertThat(handled).hasValue(1);
    }

    private static final MethodDescriptor<ListUseCasesRequest, ListUseCasesResponse> UNDECLARED =
            DecisionServiceGrpc.getListUseCasesMethod().toBuilder().setFullMethodName("aigov.v1.DecisionService/Undeclared").build();

    private static ServerServiceDefinition undeclaredService(AtomicInteger handled) {
        return ServerServiceDefinition.builder(DecisionServiceGrpc.SERVICE_NAME)
                .addMethod(UNDECLARED,
                        ServerCalls.asyncUnaryCall((ListUseCasesRequest request, StreamObserver<ListUseCasesResponse> observer) -> {
                            handled.incrementAndGet();
                            observer.onNext(ListUseCasesResponse.getDefaultInstance());
                            observer.onCompleted();
                        }))
                .build();
    }

    private static ServerServiceDefinition auditService(AtomicInteger handled) {
        return new AuditServiceGrpc.AuditServiceImplBase() {
            @Override
            public void listAuditEvents(ListAuditEventsRequest request, StreamObserver<ListAuditEventsResponse> observer) {
                handled.incrementAndGet();
                observer.onNext(ListAuditEventsResponse.getDefaultInstance());
                observer.onCompleted();
            }
        }.bindService();
    }

    /** Authentication's part, done: the call's principal holds {@code capabilities}. */
    private static ServerInterceptor holding(Set<Capability> capabilities) {
        Principal principal = new Principal(UUID.randomUUID(), "tester", capabilities, Optional.empty());
        return new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, io.grpc.Metadata headers,
                    io.grpc.ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(Context.current().withValue(AuthInterceptor.PRINCIPAL, principal), call, headers, next);
            }
        };
    }

    /** Runs {@code call} against {@code service} behind the authenticated principal and the authorization (no mutation: no audit). */
    private static <T> T served(ServerServiceDefinition service, ServerInterceptor authenticated, Function<ManagedChannel, T> call) {
        String name = "authorization-" + UUID.randomUUID();
        Server server;
        try {
            server = InProcessServerBuilder.forName(name).directExecutor()
                    .addService(ServerInterceptors.interceptForward(service, authenticated, new Authorization(null)))
                    .build().start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            return call.apply(channel);
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
    }
}
