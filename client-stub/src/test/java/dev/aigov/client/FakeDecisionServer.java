package dev.aigov.client;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import dev.aigov.api.v1.BlockReason;
import dev.aigov.api.v1.ControlState;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.EvaluateAiRequestResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in DecisionService on a real Netty server on a random loopback port, answering from a
 * script: the scripted answers in order, one per call attempt, then the fallback. It records every
 * request and its headers, so tests can see what went over the wire.
 */
final class FakeDecisionServer implements AutoCloseable {

    /** One way of answering one call. */
    @FunctionalInterface
    interface Answer {
        void answer(EvaluateAiRequestRequest request, StreamObserver<EvaluateAiRequestResponse> response);
    }

    private final Server server;
    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private volatile Answer fallback = allow();
    final List<EvaluateAiRequestRequest> requests = new CopyOnWriteArrayList<>();
    final List<Metadata> headers = new CopyOnWriteArrayList<>();
    /** What ListUseCases answers; a test may change it. */
    volatile List<dev.aigov.api.v1.UseCase> useCases = List.of(
            useCase("product_knowledge.answer_draft"), useCase("support_diagnostics.summary_draft"));

    private FakeDecisionServer(ServerCredentials credentials) {
        ServerInterceptor recordHeaders = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
                headers.add(metadata);
                return next.startCall(call, metadata);
            }
        };
        DecisionServiceGrpc.DecisionServiceImplBase service = new DecisionServiceGrpc.DecisionServiceImplBase() {
            @Override
            public void evaluateAiRequest(
                    EvaluateAiRequestRequest request, StreamObserver<EvaluateAiRequestResponse> response) {
                requests.add(request);
                Answer next = script.poll();
                (next == null ? fallback : next).answer(request, response);
            }

            @Override
            public void listUseCases(dev.aigov.api.v1.ListUseCasesRequest request,
                    StreamObserver<dev.aigov.api.v1.ListUseCasesResponse> response) {
                response.onNext(dev.aigov.api.v1.ListUseCasesResponse.newBuilder().addAllUseCases(useCases).build());
                response.onCompleted();
            }
        };
        try {
            this.server = NettyServerBuilder
                    .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), credentials)
                    .addService(ServerInterceptors.intercept(service, recordHeaders))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FakeDecisionServer start() {
        return new FakeDecisionServer(InsecureServerCredentials.create());
    }

    static FakeDecisionServer start(ServerCredentials credentials) {
        return new FakeDecisionServer(credentials);
    }

    /** Answers the next calls with these, in order, then with the fallback. */
    FakeDecisionServer thenAnswer(Answer... answers) {
        script.addAll(Arrays.asList(answers));
        return this;
    }

    /** Answers every call not scripted with this. */
    FakeDecisionServer otherwiseAnswer(Answer answer) {
        this.fallback = answer;
        return this;
    }

    String target() {
        return "127.0.0.1:" + server.getPort();
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }

    // ---- answers ----

    static Answer allow() {
        return answerWith(allowDecision().build());
    }

    static Answer answerWith(Decision decision) {
        return (request, response) -> {
            response.onNext(EvaluateAiRequestResponse.newBuilder().setDecision(decision).build());
            response.onCompleted();
        };
    }

    static Answer answerWith(EvaluateAiRequestResponse whole) {
        return (request, response) -> {
            response.onNext(whole);
            response.onCompleted();
        };
    }

    static dev.aigov.api.v1.UseCase useCase(String key) {
        return dev.aigov.api.v1.UseCase.newBuilder().setKey(key).setSourceFamily(key.substring(0, key.indexOf('.')))
                .addProviderClasses(dev.aigov.api.v1.ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                .addDataClassifications(DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA)
                .setDescription("fake " + key).build();
    }

    /** Fails the call with this status and an ErrorInfo with this reason and metadata. */
    static Answer fail(Status status, String errorReason, java.util.Map<String, String> metadata) {
        return (request, response) -> response.onError(io.grpc.protobuf.StatusProto.toStatusRuntimeException(
                com.google.rpc.Status.newBuilder()
                        .setCode(status.getCode().value())
                        .setMessage(status.getDescription() == null ? "" : status.getDescription())
                        .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain("aigov").setReason(errorReason)
                                .putAllMetadata(metadata).build()))
                        .build()));
    }

    /** Fails the call with this status, and an ErrorInfo with this reason when one is given. */
    static Answer fail(Status status, String errorReason) {
        return (request, response) -> {
            com.google.rpc.Status.Builder rich = com.google.rpc.Status.newBuilder()
                    .setCode(status.getCode().value())
                    .setMessage(status.getDescription() == null ? "" : status.getDescription());
            if (errorReason != null) {
                rich.addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setDomain("aigov").setReason(errorReason).putMetadata("field", "actor.id").build()));
            }
            response.onError(io.grpc.protobuf.StatusProto.toStatusRuntimeException(rich.build()));
        };
    }

    /** Never answers: the call stays open until the client gives up or the server stops. */
    static Answer hang() {
        return (request, response) -> {};
    }

    static Decision.Builder allowDecision() {
        return Decision.newBuilder()
                .setDecisionId(UUID.randomUUID().toString())
                .setOutcome(Outcome.OUTCOME_ALLOW)
                .setEffectivePolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY)
                .setPolicyVersion(3)
                .setExecutionState(ControlState.CONTROL_STATE_ENABLED)
                .setControlVersion(1)
                .setMessage("Allowed.")
                .setEvaluatedAt(Timestamp.newBuilder().setSeconds(1_700_000_000L))
                .setAuditEventId(UUID.randomUUID().toString());
    }

    static Decision.Builder blockDecision(BlockReason primary, BlockReason... others) {
        Decision.Builder decision = allowDecision()
                .setOutcome(Outcome.OUTCOME_BLOCK)
                .setReason(primary)
                .addAllReasons(primary)
                .setMessage("Blocked.");
        for (BlockReason other : others) {
            decision.addAllReasons(other);
        }
        return decision;
    }

    static Decision.Builder blockDecisionRejecting(DataClassification... rejected) {
        return blockDecision(BlockReason.BLOCK_REASON_DATA_CLASSIFICATION_NOT_PERMITTED)
                .addAllRejectedClassifications(Arrays.asList(rejected));
    }
}
