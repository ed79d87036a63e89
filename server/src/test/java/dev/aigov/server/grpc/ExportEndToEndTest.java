package dev.aigov.server.grpc;

import static dev.aigov.server.grpc.StatusAssertions.assertInvalidField;
import static dev.aigov.server.grpc.StatusAssertions.assertMissingCapability;
import static dev.aigov.server.testing.Clients.freshWorkspace;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import dev.aigov.api.v1.ExportAuditEventsRequest;
import dev.aigov.api.v1.ExportAuditEventsResponse;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.Merkle;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.evidence.SigningKeys;
import dev.aigov.server.evidence.AuditExporter;
import dev.aigov.server.evidence.ExportVerifier;
import dev.aigov.server.evidence.KeysFile;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.EvidenceChains;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ExportAuditEvents over a real channel: order, resumption, workspace limits, and that what it streams verifies offline. */
@WithAigovServer
class ExportEndToEndTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    ExportEndToEndTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    private static ExportAuditEventsRequest.Builder between(Instant start, Instant end) {
        return ExportAuditEventsRequest.newBuilder().setStartTime(timestamp(start)).setEndTime(timestamp(end));
    }

    private List<ExportAuditEventsResponse> export(String token, ExportAuditEventsRequest request) {
        List<ExportAuditEventsResponse> records = new ArrayList<>();
        clients.audit(token).exportAuditEvents(request).forEachRemaining(records::add);
        return records;
    }

    /** Two chains interleaved in time, batches of 1 to 4 events, from {@code day}. */
    private List<SignedCheckpoint> twoChains(Instant day, String workspace, String other) {
        List<EvidenceChains.Batch> first = new ArrayList<>();
        List<EvidenceChains.Batch> second = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Instant at = day.plusSeconds(60L * i);
            List<Map<String, Object>> events = new ArrayList<>();
            for (int j = 0; j <= i % 4; j++) {
                events.add(EvidenceChains.decision(j % 2 == 0 ? workspace : other, at.minusMillis(10 + j)));
            }
            (i % 2 == 0 ? first : second).add(new EvidenceChains.Batch(at, events));
        }
        second.add(new EvidenceChains.Batch(day.plusSeconds(600), List.of(EvidenceChains.denied(day.plusSeconds(599)))));
        List<SignedCheckpoint> all = new ArrayList<>(EvidenceChains.write(server.dataSource(), UUID.randomUUID(), first));
        all.addAll(EvidenceChains.write(server.dataSource(), UUID.randomUUID(), second));
        return all;
    }

    private SigningKeys.KeySet keys() {
        return SigningKeys.KeySet.of(EvidenceChains.KEY.publicKey());
    }

    @Test
    void anExportStreamsEveryCheckpointInSignedOrderWithItsEventsAndVerifiesOffline(@TempDir Path dir) throws Exception {
        Instant day = Instant.parse("2025-03-01T00:00:00Z");
        List<SignedCheckpoint> written = twoChains(day, freshWorkspace(), freshWorkspace());

        List<ExportAuditEventsResponse> records = export(admin, between(day, day.plusSeconds(3600)).build());

        List<String> notes = records.stream().filter(ExportAuditEventsResponse::hasCheckpoint).map(r -> r.getCheckpoint().getNote())
                .toList();
        assertThat(notes).as("every checkpoint, in signed order").containsExactlyElementsOf(written.stream()
                .sorted(java.util.Comparator.comparing(c -> c.checkpoint().time())).map(SignedCheckpoint::note).toList());
        assertThat(records).as("an admin sees every event").noneMatch(ExportAuditEventsResponse::hasLeaf);
        assertThat(records.stream().filter(ExportAuditEventsResponse::hasEvent).count()).isEqualTo(1 + 2 + 3 + 4 + 1 + 2 + 1);
        // Canonical text: arrays as lists of strings, integers in decimal.
        ExportAuditEventsResponse event = records.stream().filter(ExportAuditEventsResponse::hasEvent).findFirst().orElseThrow();
        assertThat(event.getEvent().getColumns().getFieldsOrThrow("data_classifications").getListValue().getValuesList())
                .extracting(Value::getStringValue).containsExactly("personal_data", "secret");
        assertThat(event.getEvent().getColumns().getFieldsOrThrow("message").getStringValue()).isEqualTo("Allowed, with \\ and\nnewline.");
        assertThat(event.getEvent().getColumns().getFieldsOrThrow("control_version").getStringValue()).isEqualTo("-1");

        assertThat(new ExportVerifier(keys()).verifyAll(records).problem()).isEmpty();
        // Through the file format and keys.json too, as audit verify --file --keys reads them.
        Path file = dir.resolve("export.jsonl");
        StringBuilder jsonl = new StringBuilder();
        for (ExportAuditEventsResponse record : records) {
            jsonl.append(com.google.protobuf.util.JsonFormat.printer().omittingInsignificantWhitespace().print(record)).append('\n');
        }
        Files.writeString(file, jsonl);
        Path keys = dir.resolve("keys.json");
        KeysFile.write(server.database().dsl(), keys);
        ExportVerifier.Result result = ExportVerifier.verifyFile(file, KeysFile.read(keys));
        assertThat(result.problem()).isEmpty();
        assertThat(result.checkpoints()).isEqualTo(written.size());

        // And a verification can fail: one changed column breaks its checkpoint's root.
        Files.writeString(file, jsonl.toString().replaceFirst("\"use_case\":\"summarize\"", "\"use_case\":\"summarise\""));
        assertThat(ExportVerifier.verifyFile(file, KeysFile.read(keys)).problem()).hasValueSatisfying(
                problem -> assertThat(problem).contains("root"));
    }

    @Test
    void anExportResumedFromAnyCheckpointsCursorHasNoGapAndNoDuplicate() {
        Instant day = Instant.parse("2025-03-02T00:00:00Z");
        twoChains(day, freshWorkspace(), freshWorkspace());
        ExportAuditEventsRequest whole = between(day, day.plusSeconds(3600)).build();
        List<ExportAuditEventsResponse> all = export(admin, whole);
        assertThat(all.stream().filter(ExportAuditEventsResponse::hasCheckpoint)).hasSize(7);

        for (int cut = 0; cut < all.size(); cut++) {
            if (!all.get(cut).hasCheckpoint()) {
                continue;
            }
            // A client that stopped reading right after this checkpoint's events.
            int end = cut + 1;
            while (end < all.size() && !all.get(end).hasCheckpoint()) {
                end++;
            }
            List<ExportAuditEventsResponse> resumed = new ArrayList<>(all.subList(0, end));
            resumed.addAll(export(admin, whole.toBuilder().setCursor(all.get(cut).getCheckpoint().getCursor()).build()));
            assertThat(resumed).as("resumed after record %d", cut).containsExactlyElementsOf(all);
        }
    }

    @Test
    void aWorkspaceLimitedReaderSeesItsWorkspacesEventsAndOnlyTheLeafHashesOfOthersAndItsExportVerifies() {
        Instant day = Instant.parse("2025-03-03T00:00:00Z");
        String mine = freshWorkspace();
        String theirs = freshWorkspace();
        twoChains(day, mine, theirs);
        String limited = server.mintToken("export-limited", Set.of("audit.read"), List.of(mine));

        List<ExportAuditEventsResponse> full = export(admin, between(day, day.plusSeconds(3600)).build());
        List<ExportAuditEventsResponse> records = export(limited, between(day, day.plusSeconds(3600)).build());

        assertThat(records).hasSameSizeAs(full);
        assertThat(records.stream().filter(ExportAuditEventsResponse::hasEvent))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.getEvent().getColumns().getFieldsOrThrow("workspace_id").getStringValue()).isEqualTo(mine));
        // Another workspace's decisions, and the denial with no workspace, are leaf hashes: 2 + 1 + 2 + 1 of them.
        assertThat(records.stream().filter(ExportAuditEventsResponse::hasLeaf)).hasSize(6);
        assertThat(records.toString()).doesNotContain(theirs);
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).hasLeaf()) {
                ByteString expected = ByteString.copyFrom(Merkle.leafHash(EventEncoding.encode(
                        AuditExporter.columns(full.get(i).getEvent().getColumns()))));
                assertThat(records.get(i).getLeaf().getHash()).isEqualTo(expected);
            }
        }
        assertThat(records.stream().filter(ExportAuditEventsResponse::hasCheckpoint).map(r -> r.getCheckpoint().getNote()))
                .as("every checkpoint is exported whole").containsExactlyElementsOf(full.stream()
                        .filter(ExportAuditEventsResponse::hasCheckpoint).map(r -> r.getCheckpoint().getNote()).toList());
        assertThat(new ExportVerifier(keys()).verifyAll(records).problem()).isEmpty();

        // A cursor is the reader's: another reader cannot resume with it.
        String cursor = records.get(0).getCheckpoint().getCursor();
        assertInvalidField(() -> export(admin, between(day, day.plusSeconds(3600)).setCursor(cursor).build()), "cursor");
    }

    @Test
    void badBoundsAndCursorsAreInvalidArgumentNamingTheirField() {
        Instant at = Instant.parse("2025-03-04T00:00:00Z");
        assertInvalidField(() -> export(admin, ExportAuditEventsRequest.newBuilder()
                .setStartTime(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(-1)).build()), "start_time");
        assertInvalidField(() -> export(admin, ExportAuditEventsRequest.newBuilder()
                .setEndTime(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).build()), "end_time");
        assertInvalidField(() -> export(admin, between(at, at).build()), "end_time");
        assertInvalidField(() -> export(admin, between(at, at.plusSeconds(1)).setCursor("not a cursor!").build()), "cursor");
        assertInvalidField(() -> export(admin, between(at, at.plusSeconds(1)).setCursor("AAAA").build()), "cursor");
        // A cursor of other bounds.
        Instant day = Instant.parse("2025-03-05T00:00:00Z");
        twoChains(day, freshWorkspace(), freshWorkspace());
        String cursor = export(admin, between(day, day.plusSeconds(3600)).build()).get(0).getCheckpoint().getCursor();
        assertInvalidField(() -> export(admin, between(day, day.plusSeconds(7200)).setCursor(cursor).build()), "cursor");
    }

    @Test
    void exportingNeedsAuditRead() {
        String viewer = server.mintToken("export-no-audit", Set.of("workspace.ai_policy.view"), List.of());
        assertMissingCapability(() -> export(viewer, ExportAuditEventsRequest.getDefaultInstance()), "audit.read");
    }

    @Test
    void aReaderThatReadsSlowlyStillGetsEverythingInOrder() throws Exception {
        Instant day = Instant.parse("2025-03-06T00:00:00Z");
        String workspace = freshWorkspace();
        List<EvidenceChains.Batch> batches = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (int j = 0; j < 10; j++) {
                events.add(EvidenceChains.decision(workspace, day.plusSeconds(i).minusMillis(j + 1)));
            }
            batches.add(new EvidenceChains.Batch(day.plusSeconds(i), events));
        }
        EvidenceChains.write(server.dataSource(), UUID.randomUUID(), batches);

        // More than a page of checkpoints and of events; the blocking stub reads one message at a time.
        Iterator<ExportAuditEventsResponse> stream = clients.audit(admin).exportAuditEvents(between(day, day.plusSeconds(3600)).build());
        ExportVerifier verifier = new ExportVerifier(keys());
        long records = 0;
        while (stream.hasNext()) {
            verifier.accept(stream.next());
            records++;
        }
        ExportVerifier.Result result = verifier.finish();
        assertThat(result.problem()).isEmpty();
        assertThat(result.checkpoints()).isEqualTo(300);
        assertThat(result.events()).isEqualTo(3000);
        assertThat(records).isEqualTo(3300);
    }

    @Test
    void anExportOfARangeWithNoCheckpointIsAnEmptyStream() {
        Instant future = Instant.now().plusSeconds(3600);
        assertThat(export(admin, ExportAuditEventsRequest.newBuilder().setStartTime(timestamp(future)).build())).isEmpty();
    }
}
