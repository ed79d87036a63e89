package dev.aigov.client.testing;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.catalog.InvalidFile;
import dev.aigov.client.AiDecision;
import dev.aigov.client.AiGovernance;
import dev.aigov.client.AiRequest;
import dev.aigov.client.ApprovedUseCase;
import dev.aigov.client.BlockReason;
import dev.aigov.client.ControlScope;
import dev.aigov.client.ControlState;
import dev.aigov.client.DataClassification;
import dev.aigov.client.DecisionBasis;
import dev.aigov.client.FailureKind;
import dev.aigov.client.GovernanceFailure;
import dev.aigov.client.PolicyMode;
import dev.aigov.client.ProviderClass;
import dev.aigov.client.SourceFamily;
import dev.aigov.client.StatusCode;
import dev.aigov.client.UseCase;
import dev.aigov.client.UseCaseCatalog;
import dev.aigov.core.Actor;
import dev.aigov.core.ActorKind;
import dev.aigov.core.Catalog;
import dev.aigov.core.ControlStatus;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.InvalidRequest;
import dev.aigov.core.PolicyStatus;
import dev.aigov.core.Rules;
import dev.aigov.core.Snapshot;
import dev.aigov.core.Vocabulary;
import dev.aigov.evidence.Checkpoint;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.Receipt;
import dev.aigov.evidence.ReceiptBatch;
import dev.aigov.evidence.ReceiptVerifier;
import dev.aigov.evidence.SigningKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * InMemoryAiGovernance is an {@link AiGovernance} for the tests of a service's guard code: it
 * decides in memory with the server's own rules, catalog and precedence (the same classes the
 * server runs, from aigov-proto, not a copy), and lets the test set the state and read what it
 * decided.
 *
 * <ul>
 *   <li>State, as on a fresh server: every workspace is {@code disabled} until
 *       {@link #setPolicyMode} says otherwise; {@link #pause} and {@link #resume} a
 *       {@link ControlScope}, global or one workspace.
 *   <li>Failures: {@link #failNext(FailureKind)} makes the next decision the client's own block of
 *       that kind, {@link #failAlways} every one until {@link #stopFailing()}.
 *   <li>What happened: {@link #evaluations()} lists every request and its decision, in order.
 * </ul>
 *
 * <p>It decides with the jar's built-in catalog, or with your own: {@link #withCatalogFile(Path)}.
 *
 * <p>A malformed request (a workspace id that is not {@code [A-Za-z0-9._:-]{1,128}}, say) is a
 * {@link FailureKind#REJECTED_REQUEST} block naming the field, as the server answers it.
 *
 * <p>Every decision it makes (ALLOW and BLOCK, not an injected failure) carries a real receipt
 * (docs/evidence.md), its event encoded in the server's words and signed by a key of its own, so a
 * test can check what a model gateway would: {@link #receiptVerifier()} or {@link #signingKeys()}.
 * Each decision is a batch of its own on one chain; receipts are valid for {@link #receiptTtl}
 * (60 s by default) by the instance's clock. Not modelled: request-id replays, deadlines.
 * Thread-safe.
 *
 * <pre>{@code
 * InMemoryAiGovernance governance = new InMemoryAiGovernance()
 *         .setPolicyMode("ws-1", PolicyMode.PRIVATE_ONLY);
 * AnswerDrafter drafter = new AnswerDrafter(governance, model);
 * }</pre>
 */
public final class InMemoryAiGovernance implements AiGovernance {

    /** One decision this instance made, and the request it answered. */
    public record Evaluation(AiRequest request, AiDecision decision) {
    }

    private Catalog catalog = CatalogFile.builtIn().catalog();
    private final Clock clock;
    private final Map<String, PolicyStatus> policies = new HashMap<>();
    private final Map<String, ControlStatus> workspaceControls = new HashMap<>();
    private ControlStatus globalControl = ControlStatus.NEVER_CHANGED;
    private final Deque<GovernanceFailure> nextFailures = new ArrayDeque<>();
    private GovernanceFailure alwaysFailing;
    private final List<Evaluation> evaluations = new ArrayList<>();
    private final SigningKeys.PrivateKey signingKey = SigningKeys.generate();
    private final UUID chain = UUID.randomUUID();
    private long seq;
    private byte[] previous = Checkpoint.NO_PREVIOUS;
    private Duration receiptTtl = Duration.ofSeconds(60);

    /** A fresh state: every workspace disabled, nothing paused, no failures. */
    public InMemoryAiGovernance() {
        this(Clock.systemUTC());
    }

    /** A fresh state whose decisions are dated by {@code clock}. */
    public InMemoryAiGovernance(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Sets a workspace's policy mode, as {@code SetWorkspacePolicy} would: a different mode is a new
     * version; the mode already in force (disabled, for a workspace that never set one) changes nothing.
     */
    public synchronized InMemoryAiGovernance setPolicyMode(String workspaceId, PolicyMode mode) {
        Objects.requireNonNull(workspaceId, "workspaceId");
        if (Objects.requireNonNull(mode, "mode") == PolicyMode.UNRECOGNIZED) {
            throw new IllegalArgumentException("UNRECOGNIZED cannot be set");
        }
        PolicyStatus current = policies.getOrDefault(workspaceId, PolicyStatus.DEFAULT);
        dev.aigov.core.PolicyMode next = core(dev.aigov.core.PolicyMode.class, mode);
        if (current.mode() != next) {
            policies.put(workspaceId, new PolicyStatus(next, current.version() + 1));
        }
        return this;
    }

    /**
     * Decides with the catalog in {@code file} (the one your service's aigov runs with, {@code
     * AIGOV_CATALOG_FILE}) instead of the built-in one, read and validated as the server reads it.
     *
     * @throws InvalidFile when the file is not a valid catalog, naming its line and the problem
     */
    public synchronized InMemoryAiGovernance withCatalogFile(Path file) {
        catalog = CatalogFile.load(Objects.requireNonNull(file, "file")).catalog();
        return this;
    }

    /** Pauses AI execution at a scope: the global one stops every workspace. */
    public synchronized InMemoryAiGovernance pause(ControlScope scope) {
        return setControl(scope, dev.aigov.core.ControlState.PAUSED);
    }

    /** Resumes AI execution at a scope. Resuming a workspace does not lift a global pause. */
    public synchronized InMemoryAiGovernance resume(ControlScope scope) {
        return setControl(scope, dev.aigov.core.ControlState.ENABLED);
    }

    private InMemoryAiGovernance setControl(ControlScope scope, dev.aigov.core.ControlState state) {
        Objects.requireNonNull(scope, "scope");
        ControlStatus current = scope.workspaceId().map(id -> workspaceControls.getOrDefault(id, ControlStatus.NEVER_CHANGED))
                .orElse(globalControl);
        ControlStatus next = current.state() == state ? current : new ControlStatus(state, current.version() + 1);
        scope.workspaceId().ifPresentOrElse(id -> workspaceControls.put(id, next), () -> globalControl = next);
        return this;
    }

    /** How long after its decision a receipt is valid (whole seconds; 60 s by default, as the server's). */
    public synchronized InMemoryAiGovernance receiptTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.getNano() != 0) {
            throw new IllegalArgumentException("a receipt ttl is whole seconds, not negative: " + ttl);
        }
        this.receiptTtl = ttl;
        return this;
    }

    /** The public key its receipts are signed with, as a set to trust. */
    public SigningKeys.KeySet signingKeys() {
        return SigningKeys.KeySet.of(signingKey.publicKey());
    }

    /**
     * A verifier that trusts this instance's key and judges expiry by its clock, as a model gateway
     * would check the receipts of its decisions.
     */
    public ReceiptVerifier receiptVerifier() {
        return new ReceiptVerifier(ReceiptVerifier.KeySource.of(signingKeys()), clock, Duration.ZERO);
    }

    /** Makes the next decision the client's own block of this kind (after any already queued). */
    public synchronized InMemoryAiGovernance failNext(FailureKind kind) {
        return failNext(typical(kind));
    }

    /** Makes the next decision the client's own block for this failure (after any already queued). */
    public synchronized InMemoryAiGovernance failNext(GovernanceFailure failure) {
        nextFailures.add(Objects.requireNonNull(failure, "failure"));
        return this;
    }

    /** Makes every decision the client's own block of this kind, until {@link #stopFailing()}: an outage, say. */
    public synchronized InMemoryAiGovernance failAlways(FailureKind kind) {
        alwaysFailing = typical(kind);
        return this;
    }

    /** Clears every injected failure. */
    public synchronized InMemoryAiGovernance stopFailing() {
        nextFailures.clear();
        alwaysFailing = null;
        return this;
    }

    /** Every decision made so far, with its request, oldest first. */
    public synchronized List<Evaluation> evaluations() {
        return List.copyOf(evaluations);
    }

    /** The decisions made so far, oldest first. */
    public synchronized List<AiDecision> decisions() {
        return evaluations.stream().map(Evaluation::decision).toList();
    }

    /** The last decision made, if any. */
    public synchronized Optional<AiDecision> lastDecision() {
        return evaluations.isEmpty() ? Optional.empty() : Optional.of(evaluations.getLast().decision());
    }

    @Override
    public synchronized AiDecision evaluate(AiRequest request) {
        Objects.requireNonNull(request, "request");
        UUID requestId = request.requestId().orElseGet(UUID::randomUUID);
        AiDecision decision = decide(request, requestId);
        evaluations.add(new Evaluation(request, decision));
        return decision;
    }

    /** Decides at once; the future is already complete. */
    @Override
    public CompletableFuture<AiDecision> evaluateAsync(AiRequest request) {
        return CompletableFuture.completedFuture(evaluate(request));
    }

    /** The catalog it decides with (the built-in one, or {@link #withCatalogFile}'s), read as the server reads it. */
    @Override
    public synchronized UseCaseCatalog useCases() {
        return new UseCaseCatalog(catalog.useCases().stream().map(InMemoryAiGovernance::entry).toList(), clock.instant());
    }

    private AiDecision decide(AiRequest request, UUID requestId) {
        GovernanceFailure injected = nextFailures.isEmpty() ? alwaysFailing : nextFailures.poll();
        if (injected != null) {
            return AiDecision.failed(requestId, injected);
        }
        DecisionRequest domain;
        try {
            domain = toDomain(request, requestId);
        } catch (InvalidRequest invalid) {
            return AiDecision.failed(requestId, GovernanceFailure.of(StatusCode.INVALID_ARGUMENT, "ERROR_REASON_INVALID_FIELD",
                    Map.of("field", invalid.field()), invalid.getMessage()));
        }
        Snapshot snapshot = new Snapshot(globalControl,
                workspaceControls.getOrDefault(domain.workspaceId(), ControlStatus.NEVER_CHANGED),
                policies.getOrDefault(domain.workspaceId(), PolicyStatus.DEFAULT));
        Decision decision = Rules.evaluate(domain, snapshot, catalog);
        DecisionBasis basis = new DecisionBasis(
                PolicyMode.valueOf(decision.effectivePolicyMode().name()), decision.policyVersion(),
                ControlState.valueOf(decision.executionState().name()), decision.controlVersion(), clock.instant());
        String decisionId = UUID.randomUUID().toString();
        String auditEventId = UUID.randomUUID().toString();
        Receipt receipt = receipt(domain, decision, requestId, decisionId, auditEventId);
        if (decision.allowed()) {
            return AiDecision.allow(requestId, decisionId, auditEventId, decision.message(), basis).withReceipt(receipt);
        }
        return AiDecision.block(requestId,
                decision.allReasons().stream().map(reason -> BlockReason.valueOf(reason.name())).toList(),
                decision.rejectedClassifications().stream().map(c -> DataClassification.valueOf(c.name())).toList(),
                decisionId, auditEventId, decision.message(), basis,
                decision.permittedProviderClasses().stream().map(p -> dev.aigov.client.ProviderClass.valueOf(p.name())).toList(),
                decision.permittedDataClassifications().stream().map(c -> DataClassification.valueOf(c.name())).toList())
                .withReceipt(receipt);
    }

    /**
     * The decision's audit event as the server records it (DecisionCopy: the same columns, the
     * core's vocabulary words), signed as a batch of one, chained to the one before.
     */
    private Receipt receipt(DecisionRequest request, Decision decision, UUID requestId, String decisionId,
            String auditEventId) {
        java.time.Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event_id", auditEventId);
        event.put("occurred_at", EventEncoding.timestamp(now));
        event.put("kind", "ai_decision");
        event.put("workspace_id", request.workspaceId());
        event.put("tenant_id", emptyToNull(request.tenantId()));
        event.put("actor_id", request.actor().id());
        event.put("actor_kind", request.actor().kind().word());
        event.put("caller_surface", emptyToNull(request.callerSurface()));
        event.put("request_id", requestId.toString());
        event.put("decision_id", decisionId);
        event.put("use_case", request.useCase());
        event.put("provider_class", request.providerClass().word());
        event.put("data_classifications", words(request.dataClassifications()));
        event.put("source_family", request.sourceFamily());
        event.put("outcome", decision.outcome().word());
        event.put("reason", decision.reason().map(Vocabulary::word).orElse(null));
        event.put("all_reasons", words(decision.allReasons()));
        event.put("rejected_classifications", words(decision.rejectedClassifications()));
        event.put("policy_mode", decision.effectivePolicyMode().word());
        event.put("policy_version", Long.toString(decision.policyVersion()));
        event.put("control_state", decision.executionState().word());
        event.put("control_version", Long.toString(decision.controlVersion()));
        decision.catalog().ifPresent(catalogVersion -> {
            event.put("catalog_digest", catalogVersion.digest());
            catalogVersion.label().ifPresent(label -> event.put("catalog_label", label));
        });
        ReceiptBatch batch = ReceiptBatch.sign(signingKey, chain, seq, previous, now, receiptTtl,
                List.of(EventEncoding.encode(event)));
        seq++;
        previous = batch.checkpoint().checkpoint().hash();
        return batch.receipts().get(0);
    }

    private static List<String> words(List<? extends Enum<?>> values) {
        return values.stream().map(Vocabulary::word).toList();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static DecisionRequest toDomain(AiRequest request, UUID requestId) {
        return new DecisionRequest(request.workspaceId(), request.tenantId().orElse(""), request.useCase().key(),
                core(dev.aigov.core.ProviderClass.class, request.providerClass()),
                request.dataClassifications().stream()
                        .map(c -> core(dev.aigov.core.DataClassification.class, c)).toList(),
                request.sourceFamily().name(),
                new Actor(request.actor().id(), core(ActorKind.class, request.actor().kind())),
                request.callerSurface().orElse(""), Optional.of(requestId));
    }

    private static ApprovedUseCase entry(dev.aigov.core.UseCase useCase) {
        EnumSet<ProviderClass> providerClasses = EnumSet.noneOf(ProviderClass.class);
        useCase.providerClasses().forEach(c -> providerClasses.add(ProviderClass.valueOf(c.name())));
        EnumSet<DataClassification> classifications = EnumSet.noneOf(DataClassification.class);
        useCase.dataClassifications().forEach(c -> classifications.add(DataClassification.valueOf(c.name())));
        return new ApprovedUseCase(UseCase.of(useCase.key()), SourceFamily.of(useCase.sourceFamily()),
                useCase.tenantContextPermitted(), providerClasses, classifications, useCase.description());
    }

    /** The client's vocabulary and the core's share their names; a name the core lacks is a bug here. */
    private static <E extends Enum<E>> E core(Class<E> type, Enum<?> value) {
        return Enum.valueOf(type, value.name());
    }

    private static GovernanceFailure typical(FailureKind kind) {
        return AiDecision.testFailure(Objects.requireNonNull(kind, "kind")).failure().orElseThrow();
    }
}
