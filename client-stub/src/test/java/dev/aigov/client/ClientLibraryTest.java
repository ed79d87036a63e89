package dev.aigov.client;

import static dev.aigov.client.FakeDecisionServer.fail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a service sees of the library beyond allow and block: one WARN per cause, the typed error
 * reasons, no blank scope, builders that set, exceptions that survive serialization, the catalog and
 * its refresh, and the version it announces.
 */
class ClientLibraryTest {

    private static final Duration PATIENT = Duration.ofSeconds(10);
    private static final Logger CLIENT_LOG = Logger.getLogger(AiGovernanceClient.class.getName());

    private FakeDecisionServer server;
    private AiGovernanceClient client;
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() {
        CLIENT_LOG.addHandler(capture);
        CLIENT_LOG.setLevel(Level.ALL);
        server = FakeDecisionServer.start();
        client = AiGovernanceClient.builder(server.target()).plaintext().bearerToken("t").deadline(PATIENT).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        CLIENT_LOG.removeHandler(capture);
        client.close();
        server.close();
    }

    // ---- one WARN per cause ----

    @Test
    void aCallerMistakeIsLoggedOnceAtWarnPerCauseSayingWhatToFixAndAnOutageNotAtAll() throws Exception {
        server.otherwiseAnswer(fail(Status.PERMISSION_DENIED, "ERROR_REASON_MISSING_CAPABILITY",
                Map.of("capability", "ai.decisions.evaluate")));
        for (int i = 0; i < 5; i++) {
            client.evaluate(Requests.productAnswer());
            client.evaluateAsync(Requests.productAnswer()).get(PATIENT.toSeconds(), TimeUnit.SECONDS);
        }
        server.otherwiseAnswer(fail(Status.INVALID_ARGUMENT, "ERROR_REASON_INVALID_FIELD", Map.of("field", "actor.id")));
        for (int i = 0; i < 3; i++) {
            client.evaluate(Requests.productAnswer());
        }
        server.otherwiseAnswer(fail(Status.INVALID_ARGUMENT, "ERROR_REASON_INVALID_FIELD", Map.of("field", "tenant_id")));
        client.evaluate(Requests.productAnswer());
        server.otherwiseAnswer(fail(Status.UNAVAILABLE, "ERROR_REASON_STORAGE_UNAVAILABLE", Map.of()));
        for (int i = 0; i < 3; i++) {
            client.evaluate(Requests.productAnswer());
        }

        List<String> warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).map(this::text).toList();
        assertThat(warnings).hasSize(3);
        assertThat(warnings.get(0)).contains("REJECTED_CALLER").contains("lacks the capability 'ai.decisions.evaluate'");
        assertThat(warnings.get(1)).contains("REJECTED_REQUEST").contains("field 'actor.id'").contains("fix the calling code");
        assertThat(warnings.get(2)).contains("field 'tenant_id'");
    }

    @Test
    void aFloodOfDistinctCausesStopsAtTheBound() {
        for (int i = 0; i < GovernanceWarnings.MAX_CAUSES + 10; i++) {
            server.otherwiseAnswer(fail(Status.INVALID_ARGUMENT, "ERROR_REASON_INVALID_FIELD", Map.of("field", "f" + i)));
            client.evaluate(Requests.productAnswer());
        }

        assertThat(logged.stream().filter(r -> r.getLevel() == Level.WARNING)).hasSize(GovernanceWarnings.MAX_CAUSES);
    }

    private String text(LogRecord record) {
        return java.text.MessageFormat.format(record.getMessage(), record.getParameters());
    }

    // ---- typed error reasons ----

    @Test
    void everyErrorReasonOfTheContractHasItsTypedValue() {
        for (dev.aigov.api.v1.ErrorReason proto : dev.aigov.api.v1.ErrorReason.values()) {
            if (proto == dev.aigov.api.v1.ErrorReason.ERROR_REASON_UNSPECIFIED || proto == dev.aigov.api.v1.ErrorReason.UNRECOGNIZED) {
                continue;
            }
            assertThat(ErrorReason.fromName(proto.name()).name()).as(proto.name())
                    .isEqualTo(proto.name().substring("ERROR_REASON_".length()));
        }
        assertThat(ErrorReason.fromName("")).isEqualTo(ErrorReason.NONE);
        assertThat(ErrorReason.fromName("ERROR_REASON_SOMETHING_NEW")).isEqualTo(ErrorReason.UNRECOGNIZED);
    }

    // ---- ControlScope: no blank workspace ----

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", "  \n "})
    void anEmptyOrBlankWorkspaceIdIsRejected(String blank) {
        assertThatThrownBy(() -> ControlScope.workspace(blank))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ControlScope.global()");
    }

    @Test
    void aScopeComesOnlyFromItsTwoFactories() {
        assertThatThrownBy(() -> ControlScope.workspace(null)).isInstanceOf(NullPointerException.class);
        assertThat(ControlScope.class.getConstructors()).isEmpty();
        assertThat(Arrays.stream(ControlScope.class.getDeclaredConstructors()).map(c -> c.getModifiers()))
                .allMatch(Modifier::isPrivate);
        assertThat(ControlScope.class.isRecord()).isFalse();
        assertThat(ControlScope.global().isGlobal()).isTrue();
        assertThat(ControlScope.global().workspaceId()).isEmpty();
        assertThat(ControlScope.workspace("ws-1").workspaceId()).contains("ws-1");
        assertThat(ControlScope.workspace("ws-1")).isEqualTo(ControlScope.workspace("ws-1"));
        assertThatThrownBy(() -> client.admin().pause(null, "why")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> client.admin().resume(null)).isInstanceOf(NullPointerException.class);
    }

    // ---- builders set ----

    @Test
    void dataClassificationsSetsRatherThanAdds() {
        AiRequest request = Requests.productAnswer("ws-1")
                .dataClassifications(DataClassification.SECRET, DataClassification.PERSONAL_DATA)
                .dataClassifications(List.of(DataClassification.OPERATIONAL_METADATA))
                .build();

        assertThat(request.dataClassifications()).containsExactly(DataClassification.OPERATIONAL_METADATA);
    }

    // ---- serialization ----

    @ParameterizedTest
    @EnumSource(FailureKind.class)
    void aBlockedExceptionKeepsItsDecisionAcrossSerialization(FailureKind kind) throws Exception {
        AiDecision decision = AiDecision.testFailure(kind);

        AiExecutionBlockedException copy = roundTrip(new AiExecutionBlockedException(decision));

        assertThat(copy.decision().reasons()).containsExactly(kind.blockReason());
        assertThat(copy.decision().requestId()).isEqualTo(decision.requestId());
        assertThat(copy.decision().failure()).isEqualTo(decision.failure());
        assertThat(copy.decision().message()).isEqualTo(decision.message());
        assertThat(copy.getMessage()).isEqualTo(new AiExecutionBlockedException(decision).getMessage());
    }

    @Test
    void aServerBlockKeepsItsBasisAcrossSerialization() throws Exception {
        server.otherwiseAnswer(FakeDecisionServer.answerWith(FakeDecisionServer.blockDecisionRejecting(
                dev.aigov.api.v1.DataClassification.DATA_CLASSIFICATION_SECRET).build()));
        AiDecision decision = client.evaluate(Requests.productAnswer());

        AiDecision copy = roundTrip(new AiExecutionBlockedException(decision)).decision();

        assertThat(copy.reasons()).isEqualTo(decision.reasons());
        assertThat(copy.rejectedClassifications()).containsExactly(DataClassification.SECRET);
        assertThat(copy.basis()).isEqualTo(decision.basis()).isPresent();
        assertThat(copy.decisionId()).isEqualTo(decision.decisionId()).isPresent();
    }

    @Test
    void anAdminFailureFromARealCallKeepsItsFailureAcrossSerialization() throws Exception {
        // The fake serves no ExecutionControlService: UNIMPLEMENTED, from gRPC itself.
        AiGovernanceException thrown = org.junit.jupiter.api.Assertions.assertThrows(AiGovernanceException.class,
                () -> client.admin().pause(ControlScope.global(), "why"));

        AiGovernanceException copy = roundTrip(thrown);

        assertThat(copy.failure()).isEqualTo(thrown.failure());
        assertThat(copy.failure().code()).isEqualTo(StatusCode.UNIMPLEMENTED);
        assertThat(copy.failure().kind()).isEqualTo(FailureKind.UNAVAILABLE);
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    // ---- hand-built decisions ----

    @Test
    void theTestFactoriesBuildEachKindOfAnswer() {
        assertThat(AiDecision.testAllow().allowed()).isTrue();
        assertThat(AiDecision.testBlock(BlockReason.AI_EXECUTION_PAUSED, BlockReason.USE_CASE_NOT_APPROVED).reasons())
                .containsExactly(BlockReason.AI_EXECUTION_PAUSED, BlockReason.USE_CASE_NOT_APPROVED);
        for (FailureKind kind : FailureKind.values()) {
            AiDecision failed = AiDecision.testFailure(kind);
            assertThat(failed.allowed()).isFalse();
            assertThat(failed.reason()).contains(kind.blockReason());
            assertThat(failed.failure()).map(GovernanceFailure::kind).contains(kind);
        }
        assertThatThrownBy(() -> AiDecision.testBlock(BlockReason.GOVERNANCE_UNAVAILABLE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AiDecision.failed(UUID.randomUUID(), null)).isInstanceOf(NullPointerException.class);
    }

    // ---- the catalog ----

    @Test
    void theCatalogIsReadOnceThenRefreshedInTheBackgroundAndARetiredUseCaseIsLoggedAsAnError() throws Exception {
        try (AiGovernanceClient refreshing = AiGovernanceClient.builder(server.target()).plaintext().bearerToken("t")
                .catalogRefresh(Duration.ofMillis(20)).build()) {
            UseCaseCatalog first = refreshing.useCases();
            assertThat(first.missing(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT, UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT)).isEmpty();
            assertThat(first.find(UseCase.PRODUCT_KNOWLEDGE_ANSWER_DRAFT)).hasValueSatisfying(entry -> {
                assertThat(entry.sourceFamily()).isEqualTo(SourceFamily.PRODUCT_KNOWLEDGE);
                assertThat(entry.providerClasses()).containsExactly(ProviderClass.LOCAL_PRIVATE);
            });
            assertThat(catalogThreads()).isNotEmpty().allMatch(Thread::isDaemon);

            server.useCases = List.of(FakeDecisionServer.useCase("product_knowledge.answer_draft"));
            long giveUp = System.nanoTime() + PATIENT.toNanos();
            while (refreshing.useCases().contains(UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT) && System.nanoTime() < giveUp) {
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }

            assertThat(refreshing.useCases().missing(UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT))
                    .containsExactly(UseCase.SUPPORT_DIAGNOSTICS_SUMMARY_DRAFT);
            assertThat(logged.stream().filter(r -> r.getLevel() == Level.SEVERE).map(this::text))
                    .singleElement().asString().contains("retired").contains("support_diagnostics.summary_draft");
        }
        long giveUp = System.nanoTime() + PATIENT.toNanos();
        while (!catalogThreads().isEmpty() && System.nanoTime() < giveUp) {
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
        assertThat(catalogThreads()).as("the refresh thread stops with the client").isEmpty();
    }

    @Test
    void aCatalogThatCannotBeReadIsAnExceptionNotAnEmptyCatalog() throws Exception {
        server.close();

        assertThatThrownBy(() -> client.useCases()).isInstanceOfSatisfying(AiGovernanceException.class,
                e -> assertThat(e.failure().kind()).isEqualTo(FailureKind.UNAVAILABLE));
    }

    private static List<Thread> catalogThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("aigov-client-catalog") && thread.isAlive()).toList();
    }

    // ---- the version it announces ----

    @Test
    void everyCallAnnouncesTheClientVersionTheBuildWrote() throws Exception {
        client.evaluate(Requests.productAnswer());

        String pomVersion = Files.readString(Path.of("pom.xml"))
                .replaceAll("(?s).*?<parent>.*?<version>([^<]+)</version>.*", "$1");
        assertThat(AiGovernanceClient.version()).isEqualTo(pomVersion);
        assertThat(server.headers).last().satisfies(headers -> {
            assertThat(headers.get(Metadata.Key.of("aigov-client-version", Metadata.ASCII_STRING_MARSHALLER)))
                    .isEqualTo(pomVersion);
            assertThat(headers.get(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER)))
                    .startsWith("aigov-client/" + pomVersion);
        });
    }
}
