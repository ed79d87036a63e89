package dev.aigov.server;

import dev.aigov.core.Catalog;
import dev.aigov.server.audit.AuditTrail;
import dev.aigov.server.audit.DeniedMutations;
import dev.aigov.server.config.HotPathConfig;
import dev.aigov.server.config.ServerConfig;
import dev.aigov.server.connect.ConnectBridge;
import dev.aigov.server.connect.ConnectPort;
import dev.aigov.server.control.ExecutionControlService;
import dev.aigov.server.evaluation.CurrentCatalog;
import dev.aigov.server.evaluation.DecisionRecorder;
import dev.aigov.server.evaluation.DecisionService;
import dev.aigov.server.evaluation.SnapshotSource;
import dev.aigov.server.evaluation.commit.GroupCommitRecorder;
import dev.aigov.server.evaluation.state.DecisionState;
import dev.aigov.server.evaluation.state.StateListener;
import dev.aigov.server.evaluation.state.StateRepository;
import dev.aigov.server.evidence.AuditExporter;
import dev.aigov.server.evidence.CheckpointPublisher;
import dev.aigov.server.evidence.Evidence;
import dev.aigov.server.evidence.ReplicaKey;
import dev.aigov.server.grpc.AuditGrpcService;
import dev.aigov.server.grpc.AuthInterceptor;
import dev.aigov.server.grpc.Authorization;
import dev.aigov.server.grpc.BearerToken;
import dev.aigov.server.grpc.CallOutcomes;
import dev.aigov.server.grpc.ClientVersions;
import dev.aigov.server.grpc.DatabaseHealth;
import dev.aigov.server.grpc.DecisionGrpcService;
import dev.aigov.server.grpc.EvidenceGrpcService;
import dev.aigov.server.grpc.ExecutionControlGrpcService;
import dev.aigov.server.grpc.HealthRequests;
import dev.aigov.server.grpc.InlineEvaluations;
import dev.aigov.server.grpc.Interceptors;
import dev.aigov.server.grpc.NettyTransport;
import dev.aigov.server.grpc.OverloadLimiter;
import dev.aigov.server.grpc.ReflectedDescriptors;
import dev.aigov.server.grpc.WorkspacePolicyGrpcService;
import dev.aigov.server.identity.FailedAuthentications;
import dev.aigov.server.identity.PrincipalLookup;
import dev.aigov.server.policy.WorkspacePolicyService;
import dev.aigov.server.preview.ChangePreviews;
import dev.aigov.server.storage.Database;
import dev.aigov.server.storage.Housekeeping;
import dev.aigov.server.telemetry.AigovMetrics;
import dev.aigov.server.telemetry.ServerGauges;
import dev.aigov.server.telemetry.Telemetry;
import dev.aigov.server.telemetry.TracedDecisions;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jooq.DSLContext;

/**
 * The running service, wired by hand in one page: services over the database, each behind the
 * interceptors, plus health and reflection (which need no token), on the transport it is given.
 */
public final class AigovServer {
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
    private final Optional<Connect> connect;
    private final Supplier<CurrentCatalog.Reload> catalogReload;
    private final CheckpointPublisher checkpoints;

    /** The Connect (HTTP/JSON) port and the in-process server its calls enter by. */
    private record Connect(ConnectPort port, ConnectBridge bridge) {
        /** No new connections, no new calls; the calls in flight go on. */
        void stopTaking() {
            port.stopListening();
            bridge.stopTaking();
        }

        /** The calls in flight get {@code grace} to finish (their answers a second to go out); then the connections close. */
        void finish(Duration grace) {
            bridge.awaitStopped(grace);
            port.shutdown(Duration.ofSeconds(1));
        }
    }

    private AigovServer(Server server, HealthStatusManager health, Housekeeping housekeeping, DatabaseHealth databaseHealth,
            HotPath hotPath, ExecutorService answerExecutor, ExecutorService blockingExecutor,
            DeniedMutations deniedMutations, Telemetry telemetry, AutoCloseable poolReport, Optional<Connect> connect,
            Supplier<CurrentCatalog.Reload> catalogReload, CheckpointPublisher checkpoints) {
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
        this.connect = connect;
        this.catalogReload = catalogReload;
        this.checkpoints = checkpoints;
    }

    /**
     * What EvaluateAiRequest decides on and records with: the in-memory state, its listener, and the
     * group-commit writer that makes each decision final.
     */
    record HotPath(SnapshotSource snapshots, DecisionRecorder decisions, PrincipalLookup principals,
            DecisionState state, StateListener listener, GroupCommitRecorder recorder) {

        static HotPath start(HotPathConfig config, Supplier<Catalog> catalog, Database database, Evidence evidence, Clock clock,
                Executor completions) {
            DSLContext dsl = database.dsl();
            DecisionState state = new DecisionState(config.maxStaleness());
            StateListener listener = StateListener.start(state, database::openDedicatedConnection, Duration.ofSeconds(30));
            GroupCommitRecorder recorder = GroupCommitRecorder.start(dsl, evidence, StateRepository::snapshots, catalog, clock,
                    completions,
                    new GroupCommitRecorder.Limits(config.auditQueueCapacity(), config.auditBatchMax(), config.auditWriters()));
            return new HotPath(state, recorder, state.principals(PrincipalLookup.fromDatabase(dsl)), state, listener, recorder);
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
     * Builds and starts the server on {@code database}, listening with Netty where {@code config} says.
     *
     * @param outermost interceptors that run before authentication (tests use them to inject faults)
     */
    public static AigovServer start(ServerConfig config, Database database, Clock systemClock, List<ServerInterceptor> outermost) {
        return start(NettyTransport.listening(config), config, database, systemClock, outermost, Telemetry.start(config.telemetry()));
    }

    /**
     * Like {@link #start(ServerConfig, Database, Clock, List)}, reporting through {@code telemetry}
     * (tests add an in-memory span exporter), which the server closes when it stops.
     */
    public static AigovServer start(ServerConfig config, Database database, Clock systemClock, List<ServerInterceptor> outermost,
            Telemetry telemetry) {
        return start(NettyTransport.listening(config), config, database, systemClock, outermost, telemetry);
    }

    /**
     * Builds and starts the server on {@code transport}: {@link NettyTransport#listening} in production,
     * an in-process builder in tests where no socket is the point. The server adds its executor, its
     * services and their interceptors.
     */
    public static AigovServer start(ServerBuilder<?> transport, ServerConfig config, Database database, Clock systemClock,
            List<ServerInterceptor> outermost, Telemetry telemetry) {
        // PostgreSQL keeps microseconds: every time answered must equal what a replay reads back.
        Clock clock = Clock.tick(systemClock, Duration.ofNanos(1_000));
        DSLContext dsl = database.dsl();
        // Bounded executors: evaluations never block, so a few threads serve them; every other call
        // may wait for the database, on threads of its own.
        ExecutorService answerExecutor = Executors.newFixedThreadPool(
                Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), named("aigov-decisions"));
        ExecutorService blockingExecutor = Executors.newFixedThreadPool(
                Math.max(16, config.database().poolSize() * 2), named("aigov-calls"));
        // The catalog read at start (ServeCommand refused an invalid file before anything began), until a reload.
        CurrentCatalog catalog = new CurrentCatalog(config.catalog());
        AigovMetrics metrics = new AigovMetrics(telemetry.meter(), catalog);
        metrics.observe(catalog);
        // Every audit event is evidence: sealed with its batch's signed checkpoint (docs/evidence.md).
        Evidence evidence = new Evidence(replicaKey(config), config.evidence().receiptTtl(), clock);
        evidence.key().publish(dsl);
        HotPath started = HotPath.start(config.hotPath(), catalog, database, evidence, clock, answerExecutor);
        started.recorder().reportTo(metrics);
        HotPath hotPath = telemetry.traced() ? started.traced(telemetry.tracer()) : started;
        Optional<OverloadLimiter> limiter = OverloadLimiter.of(config.overload(), metrics);
        DeniedMutations deniedMutations = new DeniedMutations(dsl, clock, evidence);
        Interceptors interceptors = new Interceptors(new ClientVersions(), new CallOutcomes(metrics), limiter, outermost,
                new AuthInterceptor(hotPath.principals(), deniedMutations,
                        new FailedAuthentications(config.authLimits().failureBurst(), config.authLimits().failuresPerSecond())),
                new Authorization(deniedMutations));

        DecisionService decisions = new DecisionService(hotPath.snapshots(), hotPath.decisions(), catalog, clock);
        // A preview asks for the catalog in force each time: it may be reloaded while the server runs.
        ChangePreviews previews = new ChangePreviews(dsl, decisions::catalog, clock, ChangePreviews.DEFAULT_MAX_DECISIONS, evidence);
        List<BindableService> services = List.of(
                new DecisionGrpcService(decisions, metrics),
                new WorkspacePolicyGrpcService(new WorkspacePolicyService(dsl, clock, evidence), deniedMutations, previews),
                new ExecutionControlGrpcService(new ExecutionControlService(dsl, clock, evidence), deniedMutations, previews),
                new AuditGrpcService(new AuditTrail(dsl), new AuditExporter(dsl, clock)),
                new EvidenceGrpcService(evidence, dsl));

        HealthStatusManager health = new HealthStatusManager();
        transport.executor(blockingExecutor)
                .callExecutor(new InlineEvaluations(hotPath.state()))
                // Each call's bearer token on its Context before the executor is chosen: hashed once, for both.
                .addStreamTracerFactory(BearerToken.onEachCall())
                .addService(HealthRequests.bounded(health.getHealthService()))
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(legacyReflection());
        // grpc-java's standard per-method metrics (grpc_server_call_duration_seconds...) and the RPC spans.
        telemetry.instrument(transport);
        List<ServerServiceDefinition> intercepted = services.stream().map(interceptors::around).toList();
        // What reflection reads of each service carries its fields' JSON names (ReflectedDescriptors); the handlers are the same.
        intercepted.stream().map(ReflectedDescriptors::withJsonNames).forEach(transport::addService);
        Optional<Connect> connect = Optional.empty();
        try {
            Server server = transport.build().start();
            if (config.httpServed()) {
                // The same services behind the same interceptors, entered in process: one API over two ports.
                String name = "aigov-connect-" + UUID.randomUUID();
                InProcessServerBuilder bridged = InProcessServerBuilder.forName(name);
                bridged.executor(blockingExecutor).callExecutor(new InlineEvaluations(hotPath.state()))
                        .addStreamTracerFactory(BearerToken.onEachCall());
                telemetry.instrument(bridged);
                ConnectBridge bridge = ConnectBridge.start(bridged, name, intercepted,
                        services.stream().map(BindableService::bindService).toList());
                try {
                    connect = Optional.of(new Connect(ConnectPort.start(config, bridge), bridge));
                } catch (RuntimeException e) {
                    bridge.close();
                    server.shutdownNow();
                    throw e;
                }
            }
            // "" is liveness: SERVING unless the embedded database cannot be restarted; each aigov service follows the database (readiness).
            health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
            // Readiness: the database answers and is durable, and this replica's decision state is current
            // (a replica answering STATE_STALE must leave the rotation).
            DatabaseHealth.Check ready = () -> {
                database.checkReachable();
                if (!hotPath.state().current()) {
                    throw new IllegalStateException("the decision state was not confirmed current within "
                            + hotPath.state().maxStaleness().toMillis() + " ms (evaluations answer STATE_STALE)");
                }
            };
            DatabaseHealth databaseHealth = new DatabaseHealth(ready, database::alive, health,
                    services.stream().map(service -> service.bindService().getServiceDescriptor().getName()).toList(),
                    DatabaseHealth.DEFAULT_INTERVAL).start();
            Housekeeping housekeeping = Housekeeping.start(database, clock, config.hotPath().replayWindow(), config.retention());
            ServerGauges.register(metrics,
                    new ServerGauges.Sources(Optional.of(hotPath.state()), Optional.of(hotPath.recorder()), limiter, housekeeping,
                            databaseHealth, dsl, clock));
            AutoCloseable poolReport = database.reportPoolTo(telemetry.poolMetrics());
            CheckpointPublisher checkpoints = CheckpointPublisher.start(evidence, config.evidence().checkpointDir());
            return new AigovServer(server, health, housekeeping, databaseHealth, hotPath,
                    answerExecutor, blockingExecutor, deniedMutations, telemetry, poolReport, connect, () -> {
                        CurrentCatalog.Reload reload = catalog.reload();
                        metrics.catalogReloaded(reload);
                        try {
                            evidence.key().reload(dsl); // after `keys rotate`: published, then signing
                        } catch (RuntimeException e) {
                            org.slf4j.LoggerFactory.getLogger(AigovServer.class)
                                    .error("The signing key could not be reloaded; the current key goes on signing", e);
                        }
                        return reload;
                    }, checkpoints);
        } catch (RuntimeException e) {
            hotPath.close(Duration.ZERO);
            telemetry.close();
            answerExecutor.shutdownNow();
            blockingExecutor.shutdownNow();
            throw e;
        } catch (IOException e) {
            hotPath.close(Duration.ZERO);
            telemetry.close();
            answerExecutor.shutdownNow();
            blockingExecutor.shutdownNow();
            throw new UncheckedIOException("could not listen on " + config.bindAddress() + ":" + config.grpcPort(), e);
        }
    }

    /** The replica's signing key: the configured file, the data directory's, or one for this process alone. */
    private static ReplicaKey replicaKey(ServerConfig config) {
        String host = ProcessHandle.current().info().command().isPresent() ? hostName() : "unknown";
        if (config.evidence().signingKeyFile().isPresent()) {
            Path file = config.evidence().signingKeyFile().get().toAbsolutePath();
            return ReplicaKey.fromFile(file, host + ":" + file);
        }
        if (config.database().external().isEmpty()) {
            Path file = config.database().dataDir().toAbsolutePath().resolve("signing-key.pem");
            return ReplicaKey.fromFile(file, host + ":" + file);
        }
        return ReplicaKey.ephemeral(host + ":pid " + ProcessHandle.current().pid());
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
    }

    public int port() {
        return server.getPort();
    }

    /**
     * Reads the catalog file again (on SIGHUP): a valid one serves from the next decision on; an
     * invalid one is refused, logged and counted, and the last good catalog goes on serving.
     */
    public CurrentCatalog.Reload reloadCatalog() {
        return catalogReload.get();
    }

    /**
     * Stops taking calls, lets in-flight calls finish within {@code grace}, then cancels what is
     * left. Health reports NOT_SERVING first, so load balancers stop sending new calls.
     */
    public void shutdown(Duration grace) {
        housekeeping.close();
        databaseHealth.close();
        health.enterTerminalState();
        // Both ports stop taking calls at once; the HTTP calls in flight finish alongside the gRPC ones.
        long stopping = System.nanoTime();
        connect.ifPresent(Connect::stopTaking);
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
        // What is left of the one grace both ports share.
        Duration left = grace.minusNanos(System.nanoTime() - stopping);
        connect.ifPresent(http -> http.finish(left.isNegative() ? Duration.ZERO : left));
        // The calls are answered; what they queued is recorded before the database goes.
        hotPath.close(grace.plusSeconds(5));
        // The refusals counted in this window, recorded before the database goes.
        deniedMutations.close();
        // The last heads leave the database too.
        checkpoints.close();
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

    /** The Connect (HTTP/JSON) port, when it is served. */
    public Optional<Integer> httpPort() {
        return connect.map(http -> http.port().port());
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

    @SuppressWarnings("deprecation")
    private static BindableService legacyReflection() {
        // grpc.reflection.v1alpha: many grpcurl builds still ask for it.
        return ProtoReflectionService.newInstance();
    }
}
