package dev.aigov.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.Main;
import dev.aigov.server.evidence.ExportVerifier;
import dev.aigov.server.evidence.KeysFile;
import dev.aigov.server.storage.EmbeddedCredentials;
import dev.aigov.server.testing.EvidenceChains;
import dev.aigov.server.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code audit export} against the shared database, as the runtime role: the file it writes and its keys.json verify. */
class AuditExportCommandTest {
    record Run(int exitCode, String err) {
    }

    static Run run(String... args) throws Exception {
        AuditExportCommand command = new AuditExportCommand();
        command.database = new DatabaseOptions();
        // The password is read from the environment only; the test sets it on the options picocli fills.
        command.database.password = EmbeddedCredentials.read(TestDatabase.sharedHome()).runtimePassword();
        CommandLine commandLine = Main.commandLine(command);
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err, true));
        // The shared test database runs with fsync off (TestDatabase), which a command refuses unless told.
        List<String> all = new ArrayList<>(List.of("--db-url", TestDatabase.sharedUrl(), "--db-user", EmbeddedCredentials.RUNTIME_ROLE,
                "--allow-undurable-database"));
        all.addAll(List.of(args));
        return new Run(commandLine.execute(all.toArray(String[]::new)), err.toString());
    }

    private static void chain(Instant day, int checkpoints, int eventsEach) {
        List<EvidenceChains.Batch> batches = new ArrayList<>();
        for (int i = 0; i < checkpoints; i++) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (int j = 0; j < eventsEach; j++) {
                events.add(j % 3 == 2 ? EvidenceChains.denied(day.plusSeconds(i)) : EvidenceChains.decision("ws-cli", day.plusSeconds(i)));
            }
            batches.add(new EvidenceChains.Batch(day.plusSeconds(i).plusMillis(1), events));
        }
        EvidenceChains.write(TestDatabase.shared().dataSource(), UUID.randomUUID(), batches);
    }

    @Test
    void anExportFileAndItsKeysFileVerifyOffline(@TempDir Path dir) throws Exception {
        Instant day = Instant.parse("2025-04-01T00:00:00Z");
        chain(day, 30, 7);
        Path file = dir.resolve("export.jsonl");
        Path keys = dir.resolve("keys.json");

        Run run = run("--since", day.toString(), "--until", day.plusSeconds(3600).toString(),
                "--output", file.toString(), "--keys-output", keys.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Exported 30 checkpoints and 210 events");
        assertThat(Files.readAllLines(file)).hasSize(30 + 210).first().asString().startsWith("{\"checkpoint\":{\"chainId\":");
        assertThat(Files.readString(keys)).contains(EvidenceChains.KEY.publicKey().keyId());
        ExportVerifier.Result result = ExportVerifier.verifyFile(file, KeysFile.read(keys));
        assertThat(result.problem()).isEmpty();
        assertThat(result.checkpoints()).isEqualTo(30);
        assertThat(result.events()).isEqualTo(210);
    }

    @Test
    void badOptionsAreOneLineNamingTheOption(@TempDir Path dir) throws Exception {
        Run backwards = run("--since", "2025-04-02T00:00:00Z", "--until", "2025-04-01T00:00:00Z", "--output", dir.resolve("x").toString());
        assertThat(backwards.exitCode()).isEqualTo(2);
        assertThat(backwards.err()).contains("--until must be after --since");

        Run notATime = run("--since", "yesterday", "--output", dir.resolve("x").toString());
        assertThat(notATime.exitCode()).isEqualTo(2);
        assertThat(notATime.err()).contains("--since must be an ISO-8601 instant");

        Run format = run("--format", "csv", "--output", dir.resolve("x").toString());
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).contains("--format must be jsonl");
    }

    /** The export's speed on 100,000 events (-Dgroups=benchmark -Daigov.excludedGroups=). */
    @Test
    @Tag("benchmark")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void benchmarkExportingAHundredThousandEvents(@TempDir Path dir) throws Exception {
        Instant day = Instant.parse("2025-05-01T00:00:00Z");
        long started = System.nanoTime();
        chain(day, 200, 500);
        System.out.printf("wrote 100,000 events in %.1f s%n", (System.nanoTime() - started) / 1e9);
        Path file = dir.resolve("export.jsonl");

        Run run = run("--since", day.toString(), "--until", day.plusSeconds(3600).toString(), "--output", file.toString());

        System.out.println(run.err());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Exported 200 checkpoints and 100,000 events");
        System.out.printf("export file: %,d bytes%n", Files.size(file));
    }
}
