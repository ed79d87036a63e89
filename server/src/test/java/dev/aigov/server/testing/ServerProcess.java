package dev.aigov.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server as an operator runs it: its own JVM ({@code java -cp <test classpath>
 * dev.aigov.server.Main serve}), on a data directory, logging to {@code server-N.log} there.
 */
public final class ServerProcess implements AutoCloseable {
    private static int started;

    private final Process process;
    private final int port;
    private final Path log;
    /** The Connect (HTTP/JSON) port the process was given; 0 when it serves none. */
    private final int httpPort;

    private ServerProcess(Process process, int port, Path log, int httpPort) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** Starts a server on {@code dataDir} and a free loopback port; does not wait for it to serve. */
    public static ServerProcess start(Path dataDir, Map<String, String> environment) {
        int port = freePort();
        Path log = nextLog(dataDir);
        List<String> command = new ArrayList<>(List.of(
                javaCommand(),
                // What the jar's manifest grants (Enable-Native-Access): Netty loads its native transport.
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "dev.aigov.server.Main", "serve", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--data-dir", dataDir.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("AIGOV_"));
        builder.environment().putAll(environment);
        // Never the default metrics port: two servers, or whatever else listens on it, must not collide.
        builder.environment().putIfAbsent("AIGOV_METRICS_PORT", Integer.toString(freePort()));
        builder.environment().putIfAbsent("AIGOV_HTTP_PORT", Integer.toString(freePort()));
        int httpPort = Integer.parseInt(builder.environment().get("AIGOV_HTTP_PORT"));
        try {
            Files.createDirectories(dataDir);
            return new ServerProcess(builder.start(), port, log, httpPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the shaded jar as the README does: {@code java -jar <jar>} with {@code folder} as working
     * directory (its embedded PostgreSQL in {@code folder/.aigov}), no arguments; the port and the
     * loopback bind through their environment variables, a free HTTP port, the metrics port off. Does not wait for it to serve.
     */
    public static ServerProcess startJar(Path jar, Path folder) {
        int port = freePort();
        int httpPort = freePort();
        Path log = nextLog(folder);
        ProcessBuilder builder = new ProcessBuilder(javaCommand(), "-jar", jar.toString())
                .directory(folder.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("AIGOV_"));
        builder.environment().putAll(Map.of("AIGOV_GRPC_PORT", Integer.toString(port), "AIGOV_GRPC_BIND", "127.0.0.1",
                "AIGOV_METRICS_PORT", "0", "AIGOV_HTTP_PORT", Integer.toString(httpPort)));
        try {
            Files.createDirectories(folder);
            return new ServerProcess(builder.start(), port, log, httpPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path nextLog(Path folder) {
        started += 1;
        return folder.resolve("server-" + started + ".log");
    }

    /** The {@code java} of the JVM running the test. */
    public static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Polls the log until a line contains {@code text}; returns that line. Fails if the server exits or the deadline passes. */
    public String awaitLogLine(String text, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            String printed = log();
            for (String line : printed.lines().toList()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("the server exited with " + process.exitValue() + " before logging \"" + text + "\":\n" + printed);
            }
            pause(Duration.ofMillis(50));
        }
        throw new AssertionError("the server did not log \"" + text + "\" within " + deadline + ":\n" + log());
    }

    /** The Connect (HTTP/JSON) port it was given (0: none). */
    public int httpPort() {
        return httpPort;
    }

    public int port() {
        return port;
    }

    public String target() {
        return "127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Polls health ("" SERVING) until {@code deadline} passes; returns how long it took. */
    public Duration awaitServing(Duration deadline) {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        ManagedChannel channel = NettyChannelBuilder.forTarget(target()).usePlaintext().build();
        try {
            while (System.nanoTime() < end) {
                if (!process.isAlive()) {
                    throw new AssertionError("the server exited with " + process.exitValue() + ":\n" + log());
                }
                try {
                    HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                            .check(HealthCheckRequest.newBuilder().setService("aigov.v1.DecisionService").build()).getStatus();
                    if (status == HealthCheckResponse.ServingStatus.SERVING) {
                        return Duration.ofNanos(System.nanoTime() - start);
                    }
                } catch (StatusRuntimeException notYet) {
                    // not listening yet
                }
                pause(Duration.ofMillis(50));
            }
            throw new AssertionError("the server did not serve within " + deadline + ":\n" + log());
        } finally {
            channel.shutdownNow();
        }
    }

    /** SIGKILL: no shutdown hook runs, the embedded postmaster is left behind. Returns once the JVM is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM: a clean stop. */
    public void stop() {
        process.destroy();
        awaitExit(Duration.ofSeconds(60));
    }

    /** Waits (up to {@code timeout}) for a server that is expected to stop by itself, and returns its exit code. */
    public int exitCode(Duration timeout) {
        awaitExit(timeout);
        return process.exitValue();
    }

    /** What the server printed so far. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    private void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the server did not exit within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bounded wait between two polls (not synchronisation: the caller polls a condition with a deadline). */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
