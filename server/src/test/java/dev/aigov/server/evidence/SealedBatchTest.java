package dev.aigov.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.core.Actor;
import dev.aigov.core.ActorKind;
import dev.aigov.core.BlockReason;
import dev.aigov.core.Catalog;
import dev.aigov.core.CatalogVersion;
import dev.aigov.core.ControlState;
import dev.aigov.core.DataClassification;
import dev.aigov.core.Decision;
import dev.aigov.core.DecisionRequest;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.ProviderClass;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.InvalidReceipt;
import dev.aigov.evidence.Receipt;
import dev.aigov.evidence.ReceiptVerifier;
import dev.aigov.evidence.SigningKeys;
import dev.aigov.server.audit.AuditEvent;
import dev.aigov.server.audit.AuditRepository;
import dev.aigov.server.storage.Database;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestEvidence;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A sealed batch reads back exactly as it was written, whatever characters it holds; the rows as
 * read encode to the very leaves that were signed; and each event's receipt verifies.
 */
class SealedBatchTest {
    private final Database database = TestDatabase.shared();

    @Test
    void everyFieldReadsBackAsWrittenIncludingCopysSpecialCharacters() {
        AuditEvent.DecisionMade block = event(Optional.of(UUID.randomUUID()), "t-1", "job:nightly.sync",
                new Decision(List.of(BlockReason.DATA_CLASSIFICATION_NOT_PERMITTED, BlockReason.TENANT_CONTEXT_NOT_PERMITTED),
                        List.of(DataClassification.PERSONAL_DATA, DataClassification.SECRET), PolicyMode.PRIVATE_ONLY, 7,
                        ControlState.ENABLED, 3, "Blocked:\ta \\ back\\slash, a \"quote\", a 'tick',\nnew line,\r é ü 語 and {braces}.",
                        Optional.of(new CatalogVersion(Catalog.digestOf(List.of()), Optional.of("r42 \\ \"release\" é {x}"))), List.of(),
                        List.of()));
        AuditEvent.DecisionMade allow = event(Optional.empty(), "", "",
                new Decision(List.of(), List.of(), PolicyMode.PRIVATE_ONLY, 1, ControlState.ENABLED, 0, "Allowed.",
                        Optional.of(CatalogFile.builtIn().catalog().version()), List.of(), List.of()));

        Evidence evidence = TestEvidence.create();
        Evidence.Chain chain = evidence.newChain();
        Evidence.Sealed sealed = database.dsl().transactionResult(configuration -> chain.seal(configuration.dsl(), List.of(block, allow)));
        chain.committed(sealed);
        ReceiptVerifier verifier = new ReceiptVerifier(SigningKeys.KeySet.of(evidence.key().current().publicKey()));

        List<AuditEvent.DecisionMade> written = List.of(block, allow);
        for (int i = 0; i < written.size(); i++) {
            AuditEvent.DecisionMade event = written.get(i);
            AuditEvent.DecisionMade read = AuditRepository.findDecision(database.dsl(), event.header().eventId(),
                    event.header().occurredAt()).orElseThrow();
            assertThat(read).isEqualTo(event);
            assertThat(EventEncoding.encode(AuditColumns.of(read))).isEqualTo(sealed.batch().receipts().get(i).event());

            Receipt receipt = sealed.receipt(i, event.header().occurredAt()).receipt();
            ReceiptVerifier.Verified verified;
            try {
                verified = verifier.verify(receipt);
            } catch (InvalidReceipt e) {
                throw new AssertionError(e);
            }
            assertThat(verified.decisionId()).isEqualTo(event.decisionId());
            assertThat(verified.outcome()).isEqualTo(event.decision().outcome().word());
            assertThat(database.dsl().transactionResult(configuration -> Evidence.receiptOf(configuration.dsl(),
                    event.header().eventId(), event.header().occurredAt())).orElseThrow().receipt()).isEqualTo(receipt);
        }
        assertThat(evidence.latest()).containsExactly(sealed.checkpoint());
    }

    private static AuditEvent.DecisionMade event(Optional<UUID> requestId, String tenant, String surface, Decision decision) {
        String workspace = "ws-" + UUID.randomUUID();
        DecisionRequest request = new DecisionRequest(workspace, tenant, "support_diagnostics.summary_draft", ProviderClass.LOCAL_PRIVATE,
                List.of(DataClassification.PERSONAL_DATA, DataClassification.SECRET, DataClassification.OPERATIONAL_METADATA),
                "support_diagnostics", new Actor("svc-7", ActorKind.SERVICE), surface, requestId);
        return new AuditEvent.DecisionMade(new AuditEvent.Header(UUID.randomUUID(), Instant.now().truncatedTo(ChronoUnit.MICROS),
                workspace, "copy-tester", requestId), request, UUID.randomUUID(), decision);
    }
}
