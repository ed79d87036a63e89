package dev.aigov.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.aigov.server.storage.EmbeddedCredentials;
import dev.aigov.server.testing.AigovServerExtension;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.Grpcurl;
import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import dev.aigov.server.testing.TestDatabase;
import dev.aigov.server.testing.TestServer;
import dev.aigov.server.testing.WithAigovServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Replays the README's cookbook against a real server, command by command, so that it cannot rot:
 * the token commands through the real command line, the grpcurl commands through {@link Grpcurl}
 * (reflection and JSON, as grpcurl does them).
 */
@WithAigovServer(transport = WithAigovServer.Transport.NETTY)
class CookbookTest {
    private final TestServer server;
    private final Clients clients;
    private final String admin;

    CookbookTest(AigovServerExtension.Aigov aigov) {
        this.server = aigov.server();
        this.clients = aigov.clients();
        this.admin = aigov.admin();
    }

    private static final String COOKBOOK = "Cookbook: grpcurl against the running server";
    private static final Pattern CAPTURE = Pattern.compile("^([A-Z_]+)=\\$\\((.*) \\| tail -n 1\\)$");
    private static final String JAR = "java -jar server/target/aigov-server.jar ";

    @Test
    void everyCookbookCommandWorksAsWritten() throws Exception {
        List<String> commands = cookbookCommands();
        assertThat(commands).as("commands in the sh blocks of the README's cookbook").hasSizeGreaterThan(15);
        Map<String, String> variables = new HashMap<>();
        Map<String, List<String>> outputs = new HashMap<>();
        Grpcurl grpcurl = new Grpcurl(clients.channel());
        try {
            for (String command : commands) {
                Matcher capture = CAPTURE.matcher(command);
                String output;
                if (capture.matches()) {
                    output = runServerJar(capture.group(2), variables);
                    String[] lines = output.strip().split("\n");
                    variables.put(capture.group(1), lines[lines.length - 1]);
                } else if (command.startsWith("grpcurl ")) {
                    List<String> words = words(command.substring("grpcurl ".length()), variables);
                    output = grpcurl.run(words);
                    outputs.computeIfAbsent(words.get(words.size() - 1), key -> new ArrayList<>()).add(output);
                } else if (command.startsWith(JAR) || command.startsWith("./mvnw")) {
                    output = command.startsWith(JAR) ? runServerJar(command, variables) : "";
                } else {
                    throw new AssertionError("the cookbook has a command this test does not know how to run: " + command);
                }
                assertThat(output).as(command).isNotNull();
            }
        } finally {
            // The cookbook pauses globally and resumes; never leave the shared database paused.
            grpcurl.run(List.of("-plaintext", "-H", "authorization: Bearer " + server.adminToken(), "-d",
                    "{\"control_key\": \"ai.execution\", \"state\": \"CONTROL_STATE_ENABLED\", \"reason\": \"test cleanup\"}",
                    "localhost:50051", "aigov.v1.ExecutionControlService/SetExecutionControl"));
        }

        assertThat(outputs.get("list").get(0)).contains("aigov.v1.DecisionService", "aigov.v1.WorkspacePolicyService",
                "aigov.v1.ExecutionControlService", "aigov.v1.AuditService", "grpc.health.v1.Health",
                "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");
        List<String> decisions = outputs.get("aigov.v1.DecisionService/EvaluateAiRequest");
        assertThat(decisions.get(0)).contains("\"outcome\": \"OUTCOME_ALLOW\"");
        assertThat(decisions.get(1)).contains("\"outcome\": \"OUTCOME_BLOCK\"",
                "\"reason\": \"BLOCK_REASON_TENANT_CONTEXT_NOT_PERMITTED\"", "DATA_CLASSIFICATION_PERSONAL_DATA");
        assertThat(outputs.get("aigov.v1.AuditService/ListAuditEvents").get(0)).contains("AUDIT_EVENT_KIND_AI_DECISION");
    }

    /** Every line of the sh blocks of the README's cookbook section. */
    private static List<String> cookbookCommands() {
        List<String> commands = new ArrayList<>();
        for (String block : Markdown.read(RepositoryFiles.root().resolve("README.md")).codeBlocks(COOKBOOK, "sh")) {
            for (String line : block.split("\n")) {
                if (!line.isBlank()) {
                    commands.add(line.strip());
                }
            }
        }
        return commands;
    }

    /** Runs {@code java -jar server/target/aigov-server.jar ...} through the real command line, on the test database. */
    private String runServerJar(String command, Map<String, String> variables) {
        List<String> args = new ArrayList<>(words(command.substring(JAR.length()), variables));
        // The runtime role, as the server's pool; its password travels in the URL (the option reads it from the environment only).
        String password = EmbeddedCredentials.read(TestDatabase.sharedHome()).runtimePassword();
        args.addAll(List.of("--db-url", ((HikariDataSource) server.dataSource()).getJdbcUrl() + "?password=" + password,
                "--db-user", EmbeddedCredentials.RUNTIME_ROLE,
                // The shared test database opted out of durability (fsync off) for speed.
                "--allow-undurable-database"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));
        assertThat(exit).as(command + "\n" + err).isZero();
        return out.toString();
    }

    /** Splits a shell command line: single quotes verbatim, double quotes and bare words with $VARIABLES expanded. */
    static List<String> words(String line, Map<String, String> variables) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int end = line.indexOf('"', i + 1);
                word.append(expand(line.substring(i + 1, end), variables));
                i = end;
                inWord = true;
            } else if (c == ' ') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                int end = line.indexOf(' ', i);
                end = end < 0 ? line.length() : end;
                word.append(expand(line.substring(i, end), variables));
                i = end - 1;
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static String expand(String text, Map<String, String> variables) {
        Matcher variable = Pattern.compile("\\$([A-Z_]+)").matcher(text);
        StringBuilder expanded = new StringBuilder();
        while (variable.find()) {
            String value = variables.get(variable.group(1));
            if (value == null) {
                throw new AssertionError("the cookbook uses $" + variable.group(1) + " before setting it");
            }
            variable.appendReplacement(expanded, Matcher.quoteReplacement(value));
        }
        variable.appendTail(expanded);
        return expanded.toString();
    }
}
