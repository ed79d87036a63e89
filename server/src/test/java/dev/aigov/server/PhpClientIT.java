package dev.aigov.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.testing.Command;
import dev.aigov.server.testing.RepositoryFiles;
import dev.aigov.server.testing.ServerProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PHP client ({@code client-stub/php}) against the jar users run (failsafe runs this after the jar
 * is packaged): {@code server/target/aigov-server.jar} is started with {@code java -jar} in a fresh
 * folder, as {@link CookbookJarIT} starts it, its tokens are minted with its own {@code token create},
 * and the PHP package's whole PHPUnit suite runs against its Connect port: the unit tests (the
 * in-memory double, a scripted fake aigov, frozen and stopped servers) and {@code RealServerTest},
 * which the variables below point at this server and which fails rather than skips when they are
 * missing ({@code AIGOV_TEST_REQUIRED=1}). PHPUnit is Debian's ({@code apt-get install phpunit
 * php8.2-curl}, as {@code .ci/run} does); without it on the PATH this test fails, saying so.
 */
class PhpClientIT {
    private static final Duration START_BOUND = Duration.ofMinutes(2);
    private static final Duration JAR_COMMAND_BOUND = Duration.ofMinutes(1);
    /** The whole PHP suite; about 30 s on an idle machine, the rest is for a loaded one. */
    private static final Duration PHPUNIT_BOUND = Duration.ofMinutes(10);

    @TempDir
    static Path folder;
    private static Path jar;
    private static ServerProcess server;

    @BeforeAll
    static void startTheJarInAFreshFolder() {
        jar = RepositoryFiles.root().resolve("server/target/aigov-server.jar");
        assertThat(jar).as("the shaded jar (./mvnw package builds it)").isRegularFile();
        server = ServerProcess.startJar(jar, folder);
        server.awaitLogLine("aigov listening on ", START_BOUND);
    }

    @AfterAll
    static void stopIt() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void thePhpClientsTestsPassAgainstTheJar() {
        Path phpunit = onPath("phpunit").orElseThrow(() -> new AssertionError(
                "phpunit is not on the PATH: the PHP client's tests need Debian's phpunit and php-curl "
                        + "(sudo apt-get install -y php8.2-cli php8.2-curl phpunit; .ci/run installs them)"));
        Map<String, String> environment = Map.of(
                "AIGOV_TEST_URL", "http://127.0.0.1:" + server.httpPort(),
                "AIGOV_TEST_SIBLING_TOKEN", mint("php-sibling", "ai.decisions.evaluate"),
                "AIGOV_TEST_ADMIN_TOKEN", mint("php-admin", "workspace.ai_policy.manage"),
                "AIGOV_TEST_OPS_TOKEN", mint("php-ops", "ops.controls.manage", "audit.read"),
                "AIGOV_TEST_REQUIRED", "1");
        Path php = RepositoryFiles.root().resolve("client-stub/php");

        Command.Result result = Command.run(List.of(phpunit.toString(), "--colors=never"), php, environment, PHPUNIT_BOUND);

        assertThat(result.exitCode()).as("phpunit in %s exited %d:\n%s\n%s", php, result.exitCode(), result.out(), result.err())
                .isZero();
        assertThat(result.out()).as("the suite ran, and RealServerTest was not skipped:\n%s", result.out())
                .contains("OK (").doesNotContain("Skipped").doesNotContain("skipped");
        // The summary in the build's log: how many PHP tests ran, and how long they took.
        result.out().lines().filter(line -> line.startsWith("OK (") || line.startsWith("Time:"))
                .forEach(line -> System.out.println("PhpClientIT phpunit: " + line));
    }

    /** A token minted by the jar's own {@code token create}, printed alone on its last line. */
    private static String mint(String name, String... capabilities) {
        List<String> command = new ArrayList<>(List.of(ServerProcess.javaCommand(), "-jar", jar.toString(), "token", "create",
                "--name", name));
        for (String capability : capabilities) {
            command.add("--capability");
            command.add(capability);
        }
        List<String> lines = Command.run(command, folder, Map.of(), JAR_COMMAND_BOUND).succeeded().strip().lines().toList();
        return lines.get(lines.size() - 1);
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Pattern.compile(Pattern.quote(File.pathSeparator)).splitAsStream(path).map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable).findFirst();
    }
}
