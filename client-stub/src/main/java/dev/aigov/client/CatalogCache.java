package dev.aigov.client;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.api.v1.ListUseCasesResponse;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The client's copy of aigov's catalog: read on first use (waiting at most the deadline), then
 * refreshed in the background on one daemon thread, stopped when the client closes. A refresh that
 * fails keeps the copy it has; one that finds a use case gone logs it at ERROR, once, because every
 * request for it is now a BLOCK.
 */
final class CatalogCache implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AiGovernanceClient.class.getName());

    private final DecisionServiceGrpc.DecisionServiceBlockingStub stub;
    private final Duration deadline;
    private final Duration refreshEvery;
    private final Clock clock;
    private volatile UseCaseCatalog current;
    private ScheduledExecutorService refresher;
    private boolean closed;

    CatalogCache(DecisionServiceGrpc.DecisionServiceBlockingStub stub, Duration deadline, Duration refreshEvery) {
        this.stub = stub;
        this.deadline = deadline;
        this.refreshEvery = refreshEvery;
        this.clock = Clock.systemUTC();
    }

    UseCaseCatalog get() {
        UseCaseCatalog catalog = current;
        if (catalog != null) {
            return catalog;
        }
        synchronized (this) {
            if (current == null) {
                current = read();
                startRefreshing();
            }
            return current;
        }
    }

    private void startRefreshing() {
        if (closed) {
            return;
        }
        refresher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "aigov-client-catalog");
            thread.setDaemon(true);
            return thread;
        });
        refresher.scheduleWithFixedDelay(this::refresh, refreshEvery.toNanos(), refreshEvery.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void refresh() {
        UseCaseCatalog next;
        try {
            next = read();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "aigov's catalog could not be refreshed; keeping the copy read at {0}: {1}",
                    current.readAt(), e.getMessage());
            return;
        }
        List<UseCase> retired = current.useCases().stream().map(ApprovedUseCase::useCase)
                .filter(useCase -> !next.contains(useCase)).toList();
        if (!retired.isEmpty()) {
            LOG.log(Level.ERROR, "aigov retired the use case(s) {0} from its catalog: every request for them is now "
                    + "blocked (USE_CASE_NOT_APPROVED). Stop asking for them, or ask aigov's owners.", retired);
        }
        current = next;
    }

    private UseCaseCatalog read() {
        ListUseCasesResponse response;
        try {
            response = stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                    .listUseCases(ListUseCasesRequest.getDefaultInstance());
        } catch (RuntimeException e) {
            throw new AiGovernanceException("ListUseCases", ProtoMapping.toFailure(e), e);
        }
        return new UseCaseCatalog(response.getUseCasesList().stream().map(CatalogCache::entry).toList(), clock.instant());
    }

    private static ApprovedUseCase entry(dev.aigov.api.v1.UseCase proto) {
        EnumSet<ProviderClass> providerClasses = EnumSet.noneOf(ProviderClass.class);
        proto.getProviderClassesList().forEach(providerClass -> ProtoMapping.fromProto(providerClass).ifPresent(providerClasses::add));
        EnumSet<DataClassification> classifications = EnumSet.noneOf(DataClassification.class);
        proto.getDataClassificationsList().forEach(classification -> classifications.add(ProtoMapping.fromProto(classification)));
        return new ApprovedUseCase(UseCase.of(proto.getKey()), SourceFamily.of(proto.getSourceFamily()),
                proto.getTenantContextPermitted(), providerClasses, classifications, proto.getDescription());
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
