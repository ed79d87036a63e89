package dev.aigov.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A postmaster alive on a data directory, read from its {@code postmaster.pid}. */
record RunningPostgres(long pid, int port) {

    /** The postmaster running on {@code dataDir}, if one is alive there. */
    static Optional<RunningPostgres> find(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            // postmaster.pid: line 1 the pid, line 4 the port (PostgreSQL's documented layout).
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            // A stale pid file whose number now belongs to another program does not count.
            boolean alive = ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .flatMap(process -> process.info().command())
                    .map(command -> command.contains("postgres"))
                    .orElse(false);
            return alive ? Optional.of(new RunningPostgres(pid, Integer.parseInt(lines.get(3).trim()))) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Stops this postmaster, which no live aigov owns: SIGTERM (PostgreSQL's smart shutdown, which
     * waits for sessions to end), then SIGKILL when it has not stopped within {@code grace}
     * (PostgreSQL then recovers from its WAL at the next start). Returns once it is gone.
     */
    void stop(Duration grace) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return;
        }
        process.get().destroy();
        if (!awaitExit(process.get(), grace)) {
            process.get().destroyForcibly();
            if (!awaitExit(process.get(), Duration.ofSeconds(10))) {
                throw new IllegalStateException("the orphaned embedded PostgreSQL (pid " + pid + ") does not stop");
            }
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
