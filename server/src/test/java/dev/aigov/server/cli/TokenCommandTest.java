package dev.aigov.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.aigov.api.v1.ListUseCasesRequest;
import dev.aigov.server.Main;
import dev.aigov.server.config.DatabaseConfig;
import dev.aigov.server.identity.PrincipalRepository;
import dev.aigov.server.storage.Database;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code token create / list / revoke} as an operator runs them, on the embedded database under
 * {@code --data-dir}: with no server running (the command starts PostgreSQL itself) and with one
 * running (the command joins its PostgreSQL).
 */
class TokenCommandTest {
    private static final String TOKEN_SHAPE = "aigov_[A-Za-z0-9_-]{43}";

    /** One data directory for the class: every command on it starts and stops its own PostgreSQL. */
    @TempDir
    static Path dataDir;

    /** What one command printed and returned. */
    record Run(int exitCode, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        List<String> errLines() {
            return err.lines().filter(line -> !line.isBlank()).toList();
        }
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

    static Run runOn(Path dir, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--data-dir");
        all.add(dir.toString());
        return run(all.toArray(String[]::new));
    }

    private static String freshName() {
        return "cli-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static DatabaseConfig embeddedOn(Path dir) {
        return new DatabaseConfig(Optional.empty(), dir, 2, Duration.ofSeconds(2));
    }

    /** The token a successful create printed: alone, on its last line. */
    private static String mintedToken(Run create) {
        assertThat(create.exitCode()).as("exit code; stderr: %s", create.err()).isZero();
        List<String> lines = create.outLines();
        assertThat(lines).isNotEmpty();
        String last = lines.getLast();
        assertThat(last).matches(TOKEN_SHAPE);
        return last;
    }

    @Test
    void createPrintsTheTokenAloneOnTheLastLineAndItAuthenticatesAgainstTheServer() {
        String name = freshName();

        Run create = runOn(dataDir, "token", "create", "--name", name, "--capability", "ai.decisions.evaluate");

        String token = mintedToken(create);
        assertThat(create.outLines()).hasSize(2);
        assertThat(create.outLines().getFirst()).contains(name, "ai.decisions.evaluate", "shown once");
        try (Database database = Database.open(embeddedOn(dataDir), Database.EmbeddedUse.OWN);
             TestServer server = TestServer.startOn(database);
             Clients clients = new Clients(server)) {
            assertThat(clients.decisions(token).listUseCases(ListUseCasesRequest.getDefaultInstance()).getUseCasesCount())
                    .isPositive();
        }
    }

    @Test
    void listShowsTheTokenWithoutItsSecretAndRevokeWorksOnce() {
        String name = freshName();
        String token = mintedToken(runOn(dataDir, "token", "create", "--name", name, "--capability", "audit.read",
                "--capability", "workspace.ai_policy.view", "--workspace", "ws-cli"));

        Run list = runOn(dataDir, "token", "list");

        assertThat(list.exitCode()).isZero();
        String row = list.outLines().stream().filter(line -> line.startsWith(name + " ")).findFirst().orElseThrow();
        assertThat(row).contains(token.substring(0, 12), "ws-cli", "audit.read", "workspace.ai_policy.view");
        assertThat(list.out()).doesNotContain(token).doesNotContain(token.substring("aigov_".length()));

        Run revoke = runOn(dataDir, "token", "revoke", "--name", name);
        assertThat(revoke.exitCode()).isZero();
        assertThat(revoke.out()).contains("Revoked", name);

        Run again = runOn(dataDir, "token", "revoke", "--name", name);
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.errLines()).singleElement().asString().contains("No active token", name);

        assertThat(runOn(dataDir, "token", "list").out()).doesNotContain(name);
        Run all = runOn(dataDir, "token", "list", "--all");
        assertThat(all.outLines()).filteredOn(line -> line.startsWith(name + " ")).singleElement().asString().contains("revoked");
        assertThat(all.out()).doesNotContain(token);
    }

    static Stream<Arguments> badInput() {
        String name = freshName();
        return Stream.of(
                arguments("unknown capability", List.of("--name", name, "--capability", "ops.everything"),
                        List.of("capability", "ops.everything", "ai.decisions.evaluate")),
                arguments("name with a space", List.of("--name", "two words", "--capability", "audit.read"),
                        List.of("name", "two words")),
                arguments("name with a slash", List.of("--name", "a/b", "--capability", "audit.read"),
                        List.of("name", "a/b")),
                arguments("platform capability limited to a workspace",
                        List.of("--name", name, "--capability", "ops.controls.manage", "--workspace", "ws-1"),
                        List.of("workspace", "ops.controls.manage")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputExitsNonZeroWithOneClearErrorLine(String description, List<String> options, List<String> named) {
        List<String> args = new ArrayList<>(List.of("token", "create"));
        args.addAll(options);

        Run create = runOn(dataDir, args.toArray(String[]::new));

        assertThat(create.exitCode()).isNotZero();
        assertThat(create.out()).isEmpty();
        assertThat(create.errLines()).singleElement().asString()
                .startsWith("error: ")
                .contains(named)
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void tokenCommandsJoinTheRunningServersPostgresAndLaterStartTheirOwnOnTheSameData(@TempDir Path serverDataDir) {
        String name = freshName();
        String token;
        // Opened the way the server opens it: the embedded PostgreSQL keeps running under the data directory.
        try (Database running = Database.open(embeddedOn(serverDataDir), Database.EmbeddedUse.OWN)) {
            Run create = runOn(serverDataDir, "token", "create", "--name", name, "--capability", "ops.controls.view");

            token = mintedToken(create);
            assertThat(new PrincipalRepository(running.dsl()).list(false))
                    .extracting(PrincipalRepository.Listing::name).contains(name);
            try (TestServer server = TestServer.startOn(running); Clients clients = new Clients(server)) {
                assertThat(clients.decisions(token).listUseCases(ListUseCasesRequest.getDefaultInstance()).getUseCasesCount())
                        .isPositive();
            }
            Run listWhileRunning = runOn(serverDataDir, "token", "list");
            assertThat(listWhileRunning.exitCode()).as("stderr: %s", listWhileRunning.err()).isZero();
            assertThat(listWhileRunning.out()).contains(name);
        }

        Run listAfterStop = runOn(serverDataDir, "token", "list");

        assertThat(listAfterStop.exitCode()).as("stderr: %s", listAfterStop.err()).isZero();
        assertThat(listAfterStop.out()).contains(name).doesNotContain(token);
    }

    @Test
    void aSecondServerRefusesToShareAnotherProcessesEmbeddedPostgres(@TempDir Path serverDataDir) {
        try (Database running = Database.open(embeddedOn(serverDataDir), Database.EmbeddedUse.OWN)) {
            assertThat(running.description()).contains(serverDataDir.toString());

            // Serving on it would die with the first server: it must refuse, saying what to do.
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> Database.open(embeddedOn(serverDataDir), Database.EmbeddedUse.OWN))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another aigov process runs the embedded PostgreSQL")
                    .hasMessageContaining("AIGOV_DATA_DIR");
        }
    }
}
