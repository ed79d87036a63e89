package dev.aigov.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.Actor;
import dev.aigov.api.v1.ActorKind;
import dev.aigov.api.v1.DataClassification;
import dev.aigov.api.v1.Decision;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.api.v1.GetCheckpointRequest;
import dev.aigov.api.v1.PolicyMode;
import dev.aigov.api.v1.ProviderClass;
import dev.aigov.api.v1.SetWorkspacePolicyRequest;
import dev.aigov.evidence.Checkpoint;
import dev.aigov.evidence.EventEncoding;
import dev.aigov.evidence.SignedCheckpoint;
import dev.aigov.evidence.SigningKeys;
import dev.aigov.server.Main;
import dev.aigov.server.config.EvidenceConfig;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code audit verify} against a real PostgreSQL: an untouched chain verifies; each tampering the
 * owner role can do (alter, delete, swap, drop a partition, truncate the end, forge a checkpoint)
 * is found, named, and exits 1. Each test writes a chain of its own and verifies only it (--chain),
 * since the database is shared.
 */
class AuditVerifyTest {
    @TempDir
    static Path dir;

    private static SigningKeys.PrivateKey key;
    private static Path keys;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void trustedKey() throws IOException {
        TestDatabase.shared();
        key = ChainedTrail.publishedKey();
        keys = ChainedTrail.keysFile(dir, key.publicKey());
    }

    static Run run(String... args) {
        CommandLine commandLine = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    /** audit verify of one chain in the shared database, with the trusted keys.json unless {@code extra} says otherwise. */
    static Run verify(ChainedTrail.Written chain, String... extra) {
        List<String> args = new ArrayList<>(
                List.of("audit", "verify", "--data-dir", TestDatabase.sharedHome().toString(), "--allow-undurable-database", "--chain",
                        chain.chain().toString()));
        if (!Arrays.asList(extra).contains("--no-keys")) {
            args.addAll(List.of("--keys", keys.toString()));
        }
        args.addAll(Arrays.stream(extra).filter(a -> !a.equals("--no-keys")).toList());
        return run(args.toArray(String[]::new));
    }

    static ChainedTrail.Written chain() {
        return ChainedTrail.write(key, Instant.now(), 3, 1, 4, 2);
    }

    static void assertBroken(Run run, String... fragments) {
        assertThat(run.exitCode()).as("exit code; out: %s err: %s", run.out(), run.err()).isEqualTo(1);
        assertThat(run.out()).contains("breaks: 1").contains("FAILED");
        String breakLine = run.out().lines().filter(line -> line.contains("BREAK")).findFirst().orElseThrow();
        for (String fragment : fragments) {
            assertThat(breakLine).contains(fragment);
        }
    }

    @Test
    void untouchedChainVerifiesClean() {
        ChainedTrail.Written chain = chain();
        Run run = verify(chain);
        assertThat(run.exitCode()).as("out: %s err: %s", run.out(), run.err()).isZero();
        assertThat(run.out()).contains("chains: 1", "checkpoints checked: 4", "events checked: 10", "breaks: 0",
                "OK: every chain verifies").containsPattern("speed: 10 events in [0-9.]+ s \\([0-9]+ events/s\\)");
        assertThat(run.err()).doesNotContain("warning");
    }

    @Test
    void everyChainIsWalkedWithoutAChainFilter() {
        ChainedTrail.Written clean = chain();
        ChainedTrail.Written tampered = chain();
        UUID deleted = tampered.eventId(0, 1);
        ChainedTrail.changeEvent(deleted, "DELETE FROM audit_events WHERE event_id = ?", deleted);
        Run run = run("audit", "verify", "--data-dir", TestDatabase.sharedHome().toString(), "--allow-undurable-database", "--keys",
                keys.toString());
        // Other tests' chains share the database (some tampered, some signed by keys not trusted here): only ours are asserted.
        assertThat(run.exitCode()).as("out: %s err: %s", run.out(), run.err()).isEqualTo(1);
        List<String> breaks = run.out().lines().filter(line -> line.contains("BREAK")).toList();
        assertThat(breaks).anyMatch(line -> line.contains("chain " + tampered.chain() + ": leaf 1 of checkpoint 0 missing"));
        assertThat(breaks).noneMatch(line -> line.contains(clean.chain().toString()));
        assertThat(run.out()).containsPattern("chains: [0-9]+").contains("unchained events (recorded before evidence began): ");
    }

    @Test
    void keysFromTheDatabaseVerifyButSayWhatTheyProve() {
        ChainedTrail.Written chain = chain();
        Run run = verify(chain, "--no-keys", "--json");
        assertThat(run.exitCode()).as("out: %s err: %s", run.out(), run.err()).isZero();
        assertThat(run.err()).contains("warning: the keys were read from the database's signing_keys");
        assertThat(run.out()).contains("\"ok\":true", "\"keys_from_trail\":true", "\"events_checked\":10", "\"breaks\":[]");
    }

    @Test
    void changedFieldOfOneEventIsFound() {
        ChainedTrail.Written chain = chain();
        UUID altered = chain.eventId(1, 0);
        ChainedTrail.changeEvent(altered, "UPDATE audit_events SET outcome = 'allow', reason = NULL, workspace_id = 'ws-elsewhere'"
                + " WHERE event_id = ?", altered);
        assertBroken(verify(chain), "chain " + chain.chain(), "checkpoint 1: root mismatch: event " + altered
                + " (leaf 0) differs from what was signed");
    }

    @Test
    void changedEventInALargerBatchIsFoundAndItsCheckpointNamed() {
        ChainedTrail.Written chain = chain();
        UUID altered = chain.eventId(2, 2);
        ChainedTrail.changeEvent(altered, "UPDATE audit_events SET principal = 'someone-else' WHERE event_id = ?", altered);
        assertBroken(verify(chain), "checkpoint 2: root mismatch: the content of at least one of its 4 events differs",
                "event " + altered + " (leaf 2)");
    }

    @Test
    void deletedEventIsFound() {
        ChainedTrail.Written chain = chain();
        UUID deleted = chain.eventId(2, 1);
        ChainedTrail.changeEvent(deleted, "DELETE FROM audit_events WHERE event_id = ?", deleted);
        assertBroken(verify(chain), "leaf 1 of checkpoint 2 missing (between event " + chain.eventId(2, 0) + " (leaf 0) and event "
                + chain.eventId(2, 2) + " (leaf 2)");
    }

    @Test
    void swappedEventsAreFoundAsOutOfOrder() {
        ChainedTrail.Written chain = chain();
        UUID first = chain.eventId(2, 0);
        UUID last = chain.eventId(2, 3);
        ChainedTrail.changeEvent(first, "UPDATE audit_events SET leaf_index = 3 - leaf_index WHERE event_id IN (?, ?)", first, last);
        assertBroken(verify(chain), "checkpoint 2: root mismatch: events 0 and 3 are out of order", "event " + first, "event " + last,
                "swapped");
    }

    @Test
    void droppedPartitionIsFound() {
        // Events of a month of their own (March 2011), their checkpoint signed now: dropping the month's
        // partition leaves the checkpoint without its events.
        ChainedTrail.asOwner(List.of("CREATE TABLE audit_events_2011_03 PARTITION OF audit_events"
                + " FOR VALUES FROM ('2011-03-01T00:00:00Z') TO ('2011-04-01T00:00:00Z')"));
        ChainedTrail.Written chain = ChainedTrail.write(key, Instant.parse("2011-03-10T10:00:00Z"), 3, 2);
        assertThat(ChainedTrail.eventPartition(chain.eventId(0, 0))).isEqualTo("audit_events_2011_03");
        assertThat(verify(chain).exitCode()).isZero();
        ChainedTrail.asOwner(List.of("ALTER TABLE audit_events DETACH PARTITION audit_events_2011_03",
                "DROP TABLE audit_events_2011_03"));
        assertBroken(verify(chain), "chain " + chain.chain() + ": checkpoint 0: all 3 of its events are missing");
    }

    @Test
    void truncatedNewestEventsNeedTheTrustedHead() throws IOException {
        ChainedTrail.Written chain = chain();
        SignedCheckpoint head = chain.checkpoints().get(3);
        Path trusted = dir.resolve("checkpoints-" + chain.chain() + ".jsonl");
        Files.writeString(trusted, "{\"checkpoint\":{\"chainId\":\"" + chain.chain() + "\",\"seq\":\"3\",\"note\":"
                + jsonString(head.note()) + "}}\n");
        Path oneNote = dir.resolve("head-" + chain.chain() + ".note");
        Files.writeString(oneNote, head.note());
        assertThat(verify(chain, "--checkpoint", trusted.toString()).exitCode()).isZero();

        UUID anyOfTheLast = chain.eventId(3, 0);
        ChainedTrail.changeEvent(anyOfTheLast, "DELETE FROM audit_events WHERE chain_id = ? AND chain_seq = 3", chain.chain());
        ChainedTrail.changeCheckpoint(chain.chain(), 3, "DELETE FROM audit_checkpoints WHERE chain_id = ? AND seq = 3", chain.chain());

        // Without a head kept outside the database, a chain cut at a checkpoint boundary is a shorter
        // chain that verifies: nothing inside the trail says it was longer.
        Run blind = verify(chain);
        assertThat(blind.exitCode()).as(blind.out()).isZero();
        assertThat(blind.out()).contains("checkpoints checked: 3");

        assertBroken(verify(chain, "--checkpoint", trusted.toString()), "head behind the trusted one", "holds checkpoint 3",
                "ends at checkpoint 2");
        assertBroken(verify(chain, "--checkpoint", oneNote.toString()), "head behind the trusted one");
    }

    @Test
    void checkpointReSignedWithAnUntrustedKeyIsFound() {
        ChainedTrail.Written chain = chain();
        SigningKeys.PrivateKey forger = SigningKeys.generate();
        // The forger can write the trail, so publishes its key too: only keys from outside catch it.
        ChainedTrail.publish(forger.publicKey());
        Checkpoint original = chain.checkpoints().get(1).checkpoint();
        Checkpoint altered = new Checkpoint(original.chain(), original.seq(), original.size(), original.root(), original.prev(),
                original.time(), original.receiptTtl().plusSeconds(3600), forger.publicKey().keyId());
        String forged = SignedCheckpoint.sign(altered, forger).note();
        ChainedTrail.changeCheckpoint(chain.chain(), 1, "UPDATE audit_checkpoints SET note = ?, key_id = ? WHERE chain_id = ? AND seq = 1",
                forged, forger.publicKey().keyId(), chain.chain());

        assertBroken(verify(chain), "checkpoint 1 is not signed by a trusted key (" + forger.publicKey().keyId());
        // Trusting the database's keys, the forged checkpoint passes, and the next one's prev gives it away.
        assertBroken(verify(chain, "--no-keys"), "checkpoint 2: its prev is not the hash of checkpoint 1");
    }

    @Test
    void unsignedCheckpointIsFound() {
        ChainedTrail.Written chain = chain();
        String body = new String(chain.checkpoints().get(2).checkpoint().body(), java.nio.charset.StandardCharsets.UTF_8);
        ChainedTrail.changeCheckpoint(chain.chain(), 2, "UPDATE audit_checkpoints SET note = ? WHERE chain_id = ? AND seq = 2",
                body + "\n", chain.chain());
        assertBroken(verify(chain), "checkpoint 2 is not signed");
    }

    @Test
    void badSignatureIsFound() {
        ChainedTrail.Written chain = chain();
        String note = chain.checkpoints().get(0).note();
        // Another body signed by no one: the signature line is the original's, the size line changed.
        String tampered = note.replace("\nsize 3\n", "\nsize 2\n");
        ChainedTrail.changeCheckpoint(chain.chain(), 0, "UPDATE audit_checkpoints SET note = ?, size = 2 WHERE chain_id = ? AND seq = 0",
                tampered, chain.chain());
        assertBroken(verify(chain), "checkpoint 0: its signature does not verify with " + key.publicKey().keyId());
    }

    @Test
    void missingCheckpointIsFound() {
        ChainedTrail.Written chain = chain();
        ChainedTrail.changeEvent(chain.eventId(1, 0), "DELETE FROM audit_events WHERE chain_id = ? AND chain_seq = 1", chain.chain());
        ChainedTrail.changeCheckpoint(chain.chain(), 1, "DELETE FROM audit_checkpoints WHERE chain_id = ? AND seq = 1", chain.chain());
        assertBroken(verify(chain), "checkpoint 1 missing (seq 0 then 2)");
    }

    @Test
    void chainStartingAfterSeqZeroIsBrokenUnlessRetentionDroppedTheStart() {
        ChainedTrail.Written chain = chain();
        ChainedTrail.changeEvent(chain.eventId(0, 0), "DELETE FROM audit_events WHERE chain_id = ? AND chain_seq = 0", chain.chain());
        ChainedTrail.changeCheckpoint(chain.chain(), 0, "DELETE FROM audit_checkpoints WHERE chain_id = ? AND seq = 0", chain.chain());
        assertBroken(verify(chain), "checkpoint 0 missing (the chain starts at seq 1");
        Instant retainedFrom = chain.checkpoints().get(1).checkpoint().time();
        Run retained = verify(chain, "--retained-from", retainedFrom.toString());
        assertThat(retained.exitCode()).as(retained.out()).isZero();
        assertThat(retained.out()).contains("checkpoints checked: 3");
    }

    @Test
    void eventsInsertedWithForgedPlacesAreFound() throws Exception {
        ChainedTrail.Written chain = chain();
        try (var connection = TestDatabase.sharedConnectionAs(dev.aigov.server.storage.EmbeddedCredentials.RUNTIME_ROLE)) {
            var extra = ChainedTrail.decision(Instant.now(), "ws-verify", 7);
            ChainedTrail.insertEvent(connection, extra, chain.chain(), 1, 1);
            assertBroken(verify(chain), "checkpoint 1: event " + extra.get("event_id") + " (leaf 1) is beyond its signed size 1");
        }
        ChainedTrail.Written other = chain();
        try (var connection = TestDatabase.sharedConnectionAs(dev.aigov.server.storage.EmbeddedCredentials.RUNTIME_ROLE)) {
            var extra = ChainedTrail.decision(Instant.now(), "ws-verify", 8);
            ChainedTrail.insertEvent(connection, extra, other.chain(), 9, 0);
            assertBroken(verify(other), "event " + extra.get("event_id") + " claims leaf 0 of checkpoint 9, which is not in the trail");
        }
    }

    @Test
    void sinceAcceptsTheFirstCheckpointInRangeAsAStart() {
        ChainedTrail.Written chain = chain();
        Instant second = chain.checkpoints().get(1).checkpoint().time();
        Run run = verify(chain, "--since", second.toString(), "--until", second.plus(2, ChronoUnit.MICROS).toString());
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("checkpoints checked: 2", "events checked: 5");
    }

    @Test
    void exportFileVerifiesOffline() throws IOException {
        ChainedTrail.Written chain = ChainedTrail.write(key, Instant.now(), n -> n % 2 == 1, 3, 1, 4, 2);
        Path whole = ChainedTrail.exportFile(dir, chain, ws -> false);
        Run run = run("audit", "verify", "--file", whole.toString(), "--keys", keys.toString());
        assertThat(run.exitCode()).as("out: %s err: %s", run.out(), run.err()).isZero();
        assertThat(run.out()).contains("export file", "checkpoints checked: 4", "events checked: 10");

        Path limited = ChainedTrail.exportFile(dir, chain, ws -> ws.equals("ws-other"));
        assertThat(Files.readString(limited)).contains("{\"leaf\":");
        Run limitedRun = run("audit", "verify", "--file", limited.toString(), "--keys", keys.toString());
        assertThat(limitedRun.exitCode()).as(limitedRun.out()).isZero();
        assertThat(limitedRun.out()).contains("events checked: 10 (5 of them by leaf hash alone)");

        Path tampered = dir.resolve("tampered.jsonl");
        Files.writeString(tampered, Files.readString(limited).replace("\"outcome\":\"block\"", "\"outcome\":\"allow\""));
        assertThat(Files.readString(tampered)).isNotEqualTo(Files.readString(limited));
        Run tamperedRun = run("audit", "verify", "--file", tampered.toString(), "--keys", keys.toString());
        assertBroken(tamperedRun, "chain " + chain.chain(), "root mismatch");

        Path untrusted = ChainedTrail.keysFile(dir, SigningKeys.generate().publicKey());
        assertBroken(run("audit", "verify", "--file", whole.toString(), "--keys", untrusted.toString()),
                "checkpoint 0 is not signed by a trusted key");
    }

    @Test
    void usageErrorsExitTwoNamingTheFlag() throws IOException {
        Path export = dir.resolve("empty.jsonl");
        Files.writeString(export, "");
        Run noKeys = run("audit", "verify", "--file", export.toString());
        assertThat(noKeys.exitCode()).isEqualTo(2);
        assertThat(noKeys.err()).contains("--file needs --keys");

        Run missing = run("audit", "verify", "--file", dir.resolve("nope.jsonl").toString(), "--keys", keys.toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--file", "nope.jsonl", "no such readable file");

        Run since = run("audit", "verify", "--file", export.toString(), "--keys", keys.toString(), "--since", "yesterday");
        assertThat(since.exitCode()).isEqualTo(2);
        assertThat(since.err()).contains("--since must be an ISO-8601 instant");

        Path notJson = dir.resolve("not.jsonl");
        Files.writeString(notJson, "{\"checkpoint\":{\"chainId\":\"x\"\n");
        Run garbage = run("audit", "verify", "--file", notJson.toString(), "--keys", keys.toString());
        assertThat(garbage.exitCode()).isEqualTo(2);
        assertThat(garbage.err()).contains("line 1");
    }

    private static String jsonString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static String timestamp(Instant instant) {
        return EventEncoding.timestamp(instant);
    }

    @Test
    void aTrailTheRealServerWroteVerifiesCleanAndAFieldChangedAfterwardsIsFound() throws IOException {
        Path serverKey = dir.resolve("real-server-key.pem");
        try (TestServer server = TestServer.startAdjusted(TestDatabase.shared(), config -> config.withEvidence(
                new EvidenceConfig(Optional.of(serverKey), Duration.ofSeconds(60), Optional.empty())));
             Clients clients = new Clients(server)) {
            String admin = server.adminToken();
            String workspace = Clients.freshWorkspace();
            clients.policies(admin).setWorkspacePolicy(SetWorkspacePolicyRequest.newBuilder().setWorkspaceId(workspace)
                    .setPolicyMode(PolicyMode.POLICY_MODE_PRIVATE_ONLY).build());
            List<Decision> decisions = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                decisions.add(clients.decisions(admin).evaluateAiRequest(EvaluateAiRequestRequest.newBuilder().setWorkspaceId(workspace)
                        .setUseCase("support_diagnostics.summary_draft").setProviderClass(ProviderClass.PROVIDER_CLASS_LOCAL_PRIVATE)
                        .addDataClassifications(DataClassification.DATA_CLASSIFICATION_OPERATIONAL_METADATA)
                        .setSourceFamily("support_diagnostics")
                        .setActor(Actor.newBuilder().setId("job-" + i).setKind(ActorKind.ACTOR_KIND_SERVICE)).build()).getDecision());
            }
            // Every chain this replica wrote: its decision writers' and its side chain (the policy change).
            List<String> args = new ArrayList<>(List.of("audit", "verify", "--data-dir", TestDatabase.sharedHome().toString(),
                    "--allow-undurable-database", "--keys",
                    ChainedTrail.keysFile(dir, SigningKeys.read(serverKey).publicKey()).toString()));
            clients.evidence(admin).getCheckpoint(GetCheckpointRequest.getDefaultInstance()).getCheckpointsList()
                    .forEach(head -> args.addAll(List.of("--chain", head.getChainId())));
            assertThat(args).filteredOn("--chain"::equals).hasSizeGreaterThanOrEqualTo(2);

            Run clean = run(args.toArray(String[]::new));
            assertThat(clean.exitCode()).as("out: %s err: %s", clean.out(), clean.err()).isZero();
            assertThat(clean.out()).contains("breaks: 0");

            UUID altered = UUID.fromString(decisions.get(2).getAuditEventId());
            ChainedTrail.changeEvent(altered, "UPDATE audit_events SET message = 'Allowed, honestly.' WHERE event_id = ?", altered);
            Run broken = run(args.toArray(String[]::new));
            String chain = SignedCheckpoint.parse(decisions.get(2).getReceipt().getCheckpoint()).checkpoint().chain().toString();
            assertThat(broken.exitCode()).as("out: %s", broken.out()).isEqualTo(1);
            assertThat(broken.out()).contains("breaks: 1");
            assertThat(broken.out().lines().filter(line -> line.contains("BREAK")).findFirst().orElseThrow())
                    .contains("chain " + chain).contains("root mismatch");
        }
    }
}
