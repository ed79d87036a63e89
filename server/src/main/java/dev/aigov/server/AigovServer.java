package dev.aigov.server;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ExecutionControlServiceGrpc;
import dev.aigov.api.v1.WorkspacePolicyServiceGrpc;
import dev.aigov.server.audit.AuditTrail;
import dev.aigov.server.audit.DeniedMutations;
import dev.aigov.server.evaluation.commit.GroupCommitRecorder;
import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.control.ExecutionControlService;
import dev.aigov.core.Catalog;
import dev.aigov.server.evaluation.DecisionRecorder;
import dev.aigov.server.evaluation.DecisionService;
import dev.aigov.server.evaluation.SnapshotSource;
import dev.aigov.server.grpc.AuditGrpcService;
import dev.aigov.server.grpc.DatabaseHealth;
import dev.aigov.server.grpc.DecisionGrpcService;
import dev.aigov.server.grpc.ExecutionControlGrpcService;
import dev.aigov.server.grpc.HealthRequests;
import dev.aigov.server.grpc.UnparsableRequests;
import dev.aigov.server.grpc.WorkspacePolicyGrpcService;
import dev.aigov.server.grpc.AuthInterceptor;
import dev.aigov.server.identity.PrincipalLookup;
import dev.aigov.server.identity.FailedAuthentications;
import dev.aigov.server.policy.WorkspacePolicyService;
import dev.aigov.server.evaluation.state.DecisionState;
import dev.aigov.server.evaluation.state.StateListener;
import dev.aigov.server.evaluation.state.StateRepository;
import dev.aigov.server.storage.Database;
import dev.aigov.server.storage.Housekeeping;
import dev.aigov.server.grpc.CallOutcomes;
import dev.aigov.server.grpc.OverloadLimiter;
import dev.aigov.server.telemetry.AigovMetrics;
import dev.aigov.server.telemetry.ServerGauges;
import dev.aigov.server.telemetry.Telemetry;
import dev.aigov.server.telemetry.TracedDecisions;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import org.jooq.DSLContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The running service, wired by hand in one page: services over the database, each behind the
 * auth interceptor, plus health and reflection (which need no token).
 */
public final class AigovServer {
    /** The largest header list (all metadata of one call) the server accepts: 64 KiB. */
    public static final int MAX_INBOUND_METADATA_BYTES = 64 * 1024;
    private final Server server;
    private final HealthStatusManager health;
    private final Housekeeping housekeeping;
    private final DatabaseHealth databaseHealth;
    private final HotPath hotPath;
    private final ExecutorService answerExecutor;
    private final ExecutorService blockingExecutor;
    private final DeniedMutations deniedMutations;
    private final Telemetry telemetry;
    private final AutoCloseable poolReport;

    private AigovServer(Server server, HealthStatusManager health, Housekeeping housekeeping, DatabaseHealth databaseHealth,
                        HotPath hotPath, ExecutorService answerExecutor, ExecutorService blockingExecutor,
                        DeniedMutations deniedMutations, Telemetry telemetry, AutoCloseable poolReport) {
        this.server = server;
        this.health = health;
        this.housekeeping = housekeeping;
        this.databaseHealth = databaseHealth;
        this.hotPath = hotPath;
        this.answerExecutor = answerExecutor;
        this.blockingExecutor = blockingExecutor;
        this.deniedMutations = deniedMutations;
        this.telemetry = telemetry;
        this.poolReport = poolReport;
    }

    /**
     * What EvaluateAiRequest decides on and records with: the in-memory state, its listener, and the
     * group-commit writer that makes each decision final.
     */
    record HotPath(SnapshotSource snapshots, DecisionRecorder decisions, PrincipalLookup principals,
                   DecisionState state, StateListener listener, GroupCommitRecorder recorder) {

        static HotPath start(HotPathConfig config, Database database, Clock clock, Executor completions) {
            DSLContext dsl = database.dsl();
            DecisionState state = new DecisionState(config.maxStaleness());
            StateListener listener = StateListener.start(state, database::openDedicatedConnection, Duration.ofSeconds(30));
            GroupCommitRecorder recorder = GroupCommitRecorder.start(dsl, StateRepository::snapshots, Catalog.CURRENT, clock,
                    completions, new GroupCommitRecorder.Limits(config.auditQueueCapacity(), config.auditBatchMax(), config.auditWriters()));
            return new HotPath(state, recorder, state.principals(AuthInterceptor.fromDatabase(dsl)), state, listener, recorder);
        }

        /** Each state read and each wait for the audit commit as a child span of the call's. */
        HotPath traced(io.opentelemetry.api.trace.Tracer tracer) {
            return new HotPath(TracedDecisions.snapshots(snapshots, tracer), TracedDecisions.recorder(decisions, tracer), principals,
                    state, listener, recorder);
        }

        /** Records what is queued, then stops following the state. */
        void close(Duration drain) {
            recorder.close(drain);
            listener.close();
        }
    }

    /**
     * Builds and starts the server on {@code database}.
     *
     * @param outermost interceptors that run before authentication (tests use them to inject faults)
     */
    public static AigovServer start(ServerConfig config, Database database, Clock systemClock, List<ServerInterceptor> outermost) {
        return start(config, database, systemClock, outermost, Telemetry.start(config.telemetry()));
    }

    /**
     * Like {@link #start(ServerConfig, Database, Clock, List)}, reporting through {@code telemetry}
     * (tests add an in-memory span exporter), which the server closes when it stops.
     */
    public static AigovServer start(ServerConfig config, Database database, Clock systemClock, List<ServerInterceptor> outermost,
                                    Telemetry telemetry) {
        // PostgreSQL keeps microseconds: every time answered must equal what a replay reads back.
        Clock clock = Clock.tick(systemClock, Duration.ofNanos(1_000));
        DSLContext dsl = database.dsl();
        // Bounded executors: evaluations never block, so a few threads serve them; every other call
        // may wait for the database, on threads of its own.
        ExecutorService answerExecutor = Executors.newFixedThreadPool(
                Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), named("aigov-decisions"));
        ExecutorService blockingExecutor = Executors.newFixedThreadPool(
                Math.max(16, config.database().poolSize() * 2), named("aigov-calls"));
        AigovMetrics metrics = new AigovMetrics(telemetry.meter(), Catalog.CURRENT);
        HotPath started = HotPath.start(config.hotPath(), database, clock, answerExecutor);
        started.recorder().reportTo(metrics);
        HotPath hotPath = telemetry.traced() ? started.traced(telemetry.tracer()) : started;
        Optional<OverloadLimiter> limiter = OverloadLimiter.of(config.overload(), metrics);
        DeniedMutations deniedMutations = new DeniedMutations(dsl, clock);
        AuthInterceptor auth = new AuthInterceptor(hotPath.principals(), deniedMutations, Set.of(
                WorkspacePolicyServiceGrpc.getSetWorkspacePolicyMethod().getFullMethodName(),
                ExecutionControlServiceGrpc.getSetExecutionControlMethod().getFullMethodName()),
                new FailedAuthentications(config.authLimits().failureBurst(), config.authLimits().failuresPerSecond()));

        DecisionService decisions = new DecisionService(hotPath.snapshots(), hotPath.decisions(), Catalog.CURRENT, clock);
        List<BindableService> services = List.of(
                new DecisionGrpcService(decisions, metrics),
                new WorkspacePolicyGrpcService(new WorkspacePolicyService(dsl, clock), deniedMutations),
                new ExecutionControlGrpcService(new ExecutionControlService(dsl, clock), deniedMutations),
                new AuditGrpcService(new AuditTrail(dsl)));

        HealthStatusManager health = new HealthStatusManager();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(
                        new InetSocketAddress(config.bindAddress(), config.grpcPort()), credentials(config))
                // Clients keep connections alive through idle load balancers; allow their pings.
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                // Clients balance round-robin over DNS; recycling connections lets them find new replicas.
                .maxConnectionAge(5, TimeUnit.MINUTES)
                .maxConnectionAgeGrace(30, TimeUnit.SECONDS)
                .maxInboundMessageSize(1 << 20)
                .executor(blockingExecutor)
                // Stated, not left to the default (8 KiB): a long authorization header reaches aigov and is answered
                // UNAUTHENTICATED; beyond this the transport refuses the call itself (README, "Errors").
                .maxInboundMetadataSize(MAX_INBOUND_METADATA_BYTES)
                .addService(HealthRequests.bounded(health.getHealthService()))
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(legacyReflection());
        {
            DecisionState state = hotPath.state();
            String decisionService = DecisionServiceGrpc.SERVICE_NAME;
            Executor inline = Runnable::run;
            builder.callExecutor(new ServerCallExecutorSupplier() {
                @Override
                public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
                    if (!decisionService.equals(call.getMethodDescriptor().getServiceName())) {
                        return null;
                    }
                    // gRPC looks the method up on the default executor; a call with a token held in a current
                    // state then runs on whichever thread delivers its callbacks, without a hand-off: that
                    // thread for the first, and a transport thread for a later one that finds the call idle.
                    // Nothing in it may block (the state is in memory, the answer comes from the audit
                    // writer), and a thread wake-up costs more than the decision. One that may need the
                    // database (an unknown token, a stale state) stays on that pool, never on the answer
                    // threads. Calls do not all start on the event loop: that would serialise the decisions
                    // with the connection's I/O.
                    boolean held = state.current() && AuthInterceptor.tokenHash(headers).flatMap(state::principal).isPresent();
                    return held ? inline : null;
                }
            });
        }
        // grpc-java's standard per-method metrics (grpc_server_call_duration_seconds...) and the RPC spans.
        telemetry.instrument(builder);
        for (BindableService service : services) {
            // Outermost first: the client's version (on the call's context, for the audit and the metrics), how the call
            // ended (for the metrics), the concurrency limit (before any work), the tests' fault injectors, then
            // authentication.
            List<ServerInterceptor> chain = new ArrayList<>();
            chain.add(new dev.aigov.server.grpc.ClientVersions());
            chain.add(new CallOutcomes(metrics));
            limiter.ifPresent(chain::add);
            chain.addAll(outermost);
            chain.add(auth);
            // ServerInterceptors.intercept runs the last interceptor first; reverse so outermost runs first.
            // Bytes that are no message would otherwise be answered UNKNOWN by grpc-java itself.
            builder.addService(UnparsableRequests.answeredAsInvalidArgument(ServerInterceptors.intercept(service, reversed(chain))));
        }
        try {
            Server server = builder.build().start();
            // "" is liveness: SERVING unless the embedded database cannot be restarted; each aigov service follows the database (readiness).
            health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
            DatabaseHealth databaseHealth = new DatabaseHealth(database::checkReachable, database::alive, health,
                    services.stream().map(service -> service.bindService().getServiceDescriptor().getName()).toList(),
                    DatabaseHealth.DEFAULT_INTERVAL).start();
            Housekeeping housekeeping = Housekeeping.start(database, clock);
            ServerGauges.register(metrics, new ServerGauges.Sources(Optional.of(hotPath.state()), Optional.of(hotPath.recorder()), limiter, housekeeping,
                    databaseHealth, dsl, clock));
            AutoCloseable poolReport = database.reportPoolTo(telemetry.poolMetrics());
            return new AigovServer(server, health, housekeeping, databaseHealth, hotPath,
                    answerExecutor, blockingExecutor, deniedMutations, telemetry, poolReport);
        } catch (IOException e) {
            hotPath.close(Duration.ZERO);
            telemetry.close();
            answerExecutor.shutdownNow();
            blockingExecutor.shutdownNow();
            throw new UncheckedIOException("could not listen on " + config.bindAddress() + ":" + config.grpcPort(), e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /**
     * Stops taking calls, lets in-flight calls finish within {@code grace}, then cancels what is
     * left. Health reports NOT_SERVING first, so load balancers stop sending new calls.
     */
    public void shutdown(Duration grace) {
        housekeeping.close();
        databaseHealth.close();
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        // The calls are answered; what they queued is recorded before the database goes.
        hotPath.close(grace.plusSeconds(5));
        // The refusals counted in this window, recorded before the database goes.
        deniedMutations.close();
        answerExecutor.shutdown();
        blockingExecutor.shutdown();
        try {
            poolReport.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop reporting the pool", e);
        }
        // Last: what is still buffered (spans, a final OTLP push) goes out, then the metrics port closes.
        telemetry.close();
    }

    /** The port metrics are served on, when they are. */
    public Optional<Integer> metricsPort() {
        return telemetry.metricsPort();
    }

    /** The in-memory decision state (tests watch it). */
    public DecisionState decisionState() {
        return hotPath.state();
    }

    /** The group-commit audit writer (tests stop it mid-batch). */
    public GroupCommitRecorder auditWriter() {
        return hotPath.recorder();
    }

    /** Daemon threads named prefix-1, prefix-2, ... */
    private static ThreadFactory named(String prefix) {
        return Thread.ofPlatform().name(prefix + "-", 1).daemon().factory();
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    private static ServerCredentials credentials(ServerConfig config) {
        if (config.tls().isEmpty()) {
            return InsecureServerCredentials.create();
        }
        ServerConfig.Tls tls = config.tls().get();
        try {
            TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder()
                    .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile());
            if (tls.clientCa().isPresent()) {
                builder.trustManager(tls.clientCa().get().toFile())
                        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the TLS files", e);
        }
    }

    @SuppressWarnings("deprecation")
    private static BindableService legacyReflection() {
        // grpc.reflection.v1alpha: many grpcurl builds still ask for it.
        return ProtoReflectionService.newInstance();
    }

    private static List<ServerInterceptor> reversed(List<ServerInterceptor> chain) {
        List<ServerInterceptor> copy = new ArrayList<>(chain);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
