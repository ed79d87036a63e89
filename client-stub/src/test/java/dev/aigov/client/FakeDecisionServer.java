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
import dev.aigov.api.v1.EvidenceServiceGrpc;
import dev.aigov.api.v1.ListSigningKeysRequest;
import dev.aigov.api.v1.ListSigningKeysResponse;
import dev.aigov.api.v1.Outcome;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.SigningKey;
import dev.aigov.evidence.Checkpoint;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.ReceiptBatch;
import dev.aigov.evidence.SigningKeys;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in DecisionService on a real Netty server on a random loopback port, answering from a
 * script: the scripted answers in order, one per call attempt, then the fallback. It records every
 * request and its headers, so tests can see what went over the wire.
 *
 * <p>Like a server with evidence on, it attaches a real receipt (docs/evidence.md), signed by
 * {@link #signingKey}, to every decision that has none ({@link #receipts} turns that off), and
 * publishes {@link #publishedKeys} with {@code EvidenceService.ListSigningKeys}.
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
    /** The headers of the EvidenceService calls (apart, so that {@link #headers} are the decisions' alone). */
    final List<Metadata> keyHeaders = new CopyOnWriteArrayList<>();
    /** What ListUseCases answers; a test may change it. */
    volatile List<dev.aigov.api.v1.UseCase> useCases = List.of(
            useCase("product_knowledge.answer_draft"), useCase("support_diagnostics.summary_draft"));

    /** The key receipts are signed with now; {@link #rotateKey()} changes it. */
    volatile SigningKeys.PrivateKey signingKey = SigningKeys.generate();
    /** What ListSigningKeys answers, oldest first. */
    final List<SigningKeys.PublicKey> publishedKeys = new CopyOnWriteArrayList<>(List.of(signingKey.publicKey()));
    /** Whether decisions without a receipt get one. */
    volatile boolean receipts = true;
    /** When ListSigningKeys fails with this; null: it answers. */
    volatile Status keysFailure;
    /** How many ListSigningKeys calls came. */
    final AtomicInteger keyFetches = new AtomicInteger();
    /** The receipts' validity after the decision. */
    volatile Duration receiptTtl = Duration.ofSeconds(60);
    /** The clock decisions are recorded by. */
    volatile Clock clock = Clock.systemUTC();
    private final UUID chain = UUID.randomUUID();
    private final AtomicInteger seq = new AtomicInteger();

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
                (next == null ? fallback : next).answer(request, withReceipts(request, response));
            }

            @Override
            public void listUseCases(dev.aigov.api.v1.ListUseCasesRequest request,
                    StreamObserver<dev.aigov.api.v1.ListUseCasesResponse> response) {
                response.onNext(dev.aigov.api.v1.ListUseCasesResponse.newBuilder().addAllUseCases(useCases).build());
                response.onCompleted();
            }
        };
        ServerInterceptor recordKeyHeaders = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
                keyHeaders.add(metadata);
                return next.startCall(call, metadata);
            }
        };
        EvidenceServiceGrpc.EvidenceServiceImplBase evidence = new EvidenceServiceGrpc.EvidenceServiceImplBase() {
            @Override
            public void listSigningKeys(ListSigningKeysRequest request, StreamObserver<ListSigningKeysResponse> response) {
                keyFetches.incrementAndGet();
                Status failure = keysFailure;
                if (failure != null) {
                    response.onError(failure.asRuntimeException());
                    return;
                }
                ListSigningKeysResponse.Builder keys = ListSigningKeysResponse.newBuilder();
                for (SigningKeys.PublicKey key : publishedKeys) {
                    keys.addKeys(SigningKey.newBuilder().setKeyId(key.keyId()).setAlgorithm("ed25519")
                            .setPublicKey(com.google.protobuf.ByteString.copyFrom(key.bytes())).setReplica("fake"));
                }
                response.onNext(keys.build());
                response.onCompleted();
            }
        };
        try {
            this.server = NettyServerBuilder
                    .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), credentials)
                    .addService(ServerInterceptors.intercept(service, recordHeaders))
                    .addService(ServerInterceptors.intercept(evidence, recordKeyHeaders))
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

    /** Signs from now on with a new key, published after the old one (which stays published). */
    SigningKeys.PrivateKey rotateKey() {
        SigningKeys.PrivateKey next = SigningKeys.generate();
        publishedKeys.add(next.publicKey());
        signingKey = next;
        return next;
    }

    private StreamObserver<EvaluateAiRequestResponse> withReceipts(EvaluateAiRequestRequest request,
            StreamObserver<EvaluateAiRequestResponse> response) {
        return new StreamObserver<>() {
            @Override
            public void onNext(EvaluateAiRequestResponse answer) {
                if (receipts && answer.hasDecision() && !answer.getDecision().hasReceipt()) {
                    answer = answer.toBuilder().setDecision(answer.getDecision().toBuilder()
                            .setReceipt(receiptFor(request, answer.getDecision()))).build();
                }
                response.onNext(answer);
            }

            @Override
            public void onError(Throwable error) {
                response.onError(error);
            }

            @Override
            public void onCompleted() {
                response.onCompleted();
            }
        };
    }

    /** A real receipt of this decision of this request, signed by {@link #signingKey} now: a batch of its own. */
    dev.aigov.api.v1.Receipt receiptFor(EvaluateAiRequestRequest request, Decision decision) {
        return receiptFor(request, decision, signingKey);
    }

    /** A real receipt of this decision of this request, signed by {@code key}. */
    dev.aigov.api.v1.Receipt receiptFor(EvaluateAiRequestRequest request, Decision decision, SigningKeys.PrivateKey key) {
        return receiptFor(event(request, decision), key);
    }

    /** A real receipt of this event (column to canonical text), signed by {@code key}. */
    dev.aigov.api.v1.Receipt receiptFor(Map<String, Object> event, SigningKeys.PrivateKey key) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        ReceiptBatch batch = ReceiptBatch.sign(key, chain, seq.getAndIncrement(), Checkpoint.NO_PREVIOUS, now, receiptTtl,
                List.of(EventEncoding.encode(event)));
        dev.aigov.evidence.Receipt receipt = batch.receipts().get(0);
        return dev.aigov.api.v1.Receipt.newBuilder()
                .setEvent(com.google.protobuf.ByteString.copyFrom(receipt.event()))
                .setLeafIndex(receipt.leafIndex())
                .addAllInclusionPath(receipt.inclusionPath().stream().map(com.google.protobuf.ByteString::copyFrom).toList())
                .setCheckpoint(receipt.checkpoint())
                .build();
    }

    /** The decision's audit event, in the server's words, recorded now. */
    Map<String, Object> event(EvaluateAiRequestRequest request, Decision decision) {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("event_id", decision.getAuditEventId());
        columns.put("occurred_at", EventEncoding.timestamp(clock.instant().truncatedTo(ChronoUnit.MICROS)));
        columns.put("kind", "ai_decision");
        columns.put("workspace_id", request.getWorkspaceId());
        columns.put("tenant_id", request.getTenantId().isEmpty() ? null : request.getTenantId());
        columns.put("actor_id", request.getActor().getId());
        columns.put("actor_kind", word(request.getActor().getKind(), "ACTOR_KIND_"));
        columns.put("request_id", request.getRequestId().isEmpty() ? null : request.getRequestId());
        columns.put("decision_id", decision.getDecisionId());
        columns.put("use_case", request.getUseCase());
        columns.put("provider_class", word(request.getProviderClass(), "PROVIDER_CLASS_"));
        columns.put("data_classifications", request.getDataClassificationsList().stream()
                .map(c -> word(c, "DATA_CLASSIFICATION_")).toList());
        columns.put("source_family", request.getSourceFamily());
        columns.put("outcome", word(decision.getOutcome(), "OUTCOME_"));
        columns.put("reason", decision.getReason() == BlockReason.BLOCK_REASON_UNSPECIFIED ? null
                : word(decision.getReason(), "BLOCK_REASON_"));
        columns.put("all_reasons", decision.getAllReasonsList().stream().map(r -> word(r, "BLOCK_REASON_")).toList());
        columns.put("rejected_classifications", decision.getRejectedClassificationsList().stream()
                .map(c -> word(c, "DATA_CLASSIFICATION_")).toList());
        columns.put("policy_mode", word(decision.getEffectivePolicyMode(), "POLICY_MODE_"));
        columns.put("policy_version", Long.toString(decision.getPolicyVersion()));
        columns.put("control_state", word(decision.getExecutionState(), "CONTROL_STATE_"));
        columns.put("control_version", Long.toString(decision.getControlVersion()));
        return columns;
    }

    private static String word(Enum<?> value, String prefix) {
        String name = value.name();
        return (name.startsWith(prefix) ? name.substring(prefix.length()) : name).toLowerCase(Locale.ROOT);
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
