package dev.aigov.server;

import static dev.aigov.server.testing.Requests.answerDraft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.api.v1.DecisionServiceGrpc;
import dev.aigov.api.v1.EvaluateAiRequestRequest;
import dev.aigov.server.storage.EmbeddedCredentials;
import dev.aigov.server.testing.Clients;
import dev.aigov.server.testing.ServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A server JVM killed with SIGKILL leaves its embedded postmaster running; started again in the
 * same folder it recognises the orphan (its owner is dead), stops it, starts its own, and serves,
 * with every decision it answered before the kill in the trail.
 */
// Each restart may take up to RESTART_BOUND (60 s); a test restarts a few times.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrashRecoveryTest {
    /** The bound this test holds the restart to (measured: a few seconds on the 2-core machine). */
    static final Duration RESTART_BOUND = Duration.ofSeconds(60);

    @Test
    void aServerKilledWithSigkillStartsAgainInTheSameFolderAndKeepsEveryAnsweredDecision(@TempDir Path dir) throws Exception {
        Set<UUID> answered = ConcurrentHashMap.newKeySet();
        long orphanPid;
        try (ServerProcess first = ServerProcess.start(dir, Map.of())) {
            first.awaitServing(RESTART_BOUND);
            String token = mint(dir);
            AtomicBoolean killed = new AtomicBoolean();
            ManagedChannel channel = NettyChannelBuilder.forTarget(first.target()).usePlaintext().build();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                callers.add(Thread.ofPlatform().start(() -> evaluateUntil(killed, channel, token, answered)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (answered.size() < 300 && System.nanoTime() < deadline) {
                ServerProcess.pause(Duration.ofMillis(20));
            }
            assertThat(answered).as("decisions answered before the kill").hasSizeGreaterThanOrEqualTo(300);

            first.kill();
            killed.set(true);
            for (Thread caller : callers) {
                caller.join(TimeUnit.SECONDS.toMillis(30));
            }
            channel.shutdownNow();
            orphanPid = postmasterPid(dir);
            assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).as("the orphaned postmaster").contains(true);
        }

        try (ServerProcess second = ServerProcess.start(dir, Map.of())) {
            Duration restart = second.awaitServing(RESTART_BOUND);
            System.out.printf("Restart after SIGKILL: serving %d ms after the new JVM was started%n", restart.toMillis());

            assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false)).as("the orphan is gone").isFalse();
            assertThat(second.log()).contains("which is gone; stopping it");
            String token = mint(dir);
            ManagedChannel channel = NettyChannelBuilder.forTarget(second.target()).usePlaintext().build();
            try {
                UUID after = UUID.fromString(Clients.withToken(DecisionServiceGrpc.newBlockingStub(channel), token)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .evaluateAiRequest(answerDraft("crash-" + UUID.randomUUID()).build()).getDecision().getAuditEventId());
                answered.add(after);
            } finally {
                channel.shutdownNow();
            }
            assertThat(auditEventsAmong(dir, answered)).isEqualTo(answered.size());
        }
    }

    private static void evaluateUntil(AtomicBoolean killed, ManagedChannel channel, String token, Set<UUID> answered) {
        DecisionServiceGrpc.DecisionServiceBlockingStub stub = Clients.withToken(DecisionServiceGrpc.newBlockingStub(channel), token);
        EvaluateAiRequestRequest request = answerDraft("crash-" + UUID.randomUUID()).build();
        while (!killed.get()) {
            try {
                answered.add(UUID.fromString(stub.withDeadlineAfter(5, TimeUnit.SECONDS).evaluateAiRequest(request)
                        .getDecision().getAuditEventId()));
            } catch (StatusRuntimeException e) {
                // The kill: answers stop; what was answered before is what the trail must hold.
            }
        }
    }

    private static String mint(Path dir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute("token", "create", "--name", "crash-" + UUID.randomUUID().toString().substring(0, 8),
                "--capability", "ai.decisions.evaluate", "--data-dir", dir.toString());
        assertThat(exit).as("token create: %s", err).isZero();
        List<String> lines = out.toString().lines().toList();
        return lines.getLast();
    }

    private static long postmasterPid(Path dir) throws Exception {
        return Long.parseLong(Files.readAllLines(dir.resolve("pgdata/postmaster.pid")).getFirst().trim());
    }

    private static int auditEventsAmong(Path dir, Set<UUID> ids) throws Exception {
        int port = Integer.parseInt(Files.readAllLines(dir.resolve("pgdata/postmaster.pid")).get(3).trim());
        EmbeddedCredentials credentials = EmbeddedCredentials.read(dir);
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres",
                EmbeddedCredentials.RUNTIME_ROLE, credentials.runtimePassword());
             PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM audit_events WHERE event_id = ANY(?)")) {
            Array array = connection.createArrayOf("uuid", ids.toArray());
            statement.setArray(1, array);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
