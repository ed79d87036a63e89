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
            // Line 2 is the data directory the postmaster runs on: a pid file copied from elsewhere does not count.
            if (!samePath(Path.of(lines.get(1).trim()), dataDir)) {
                return Optional.empty();
            }
            // A pid now another process's (another program, or a postmaster elsewhere) never gets a signal.
            boolean alive = ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(process -> process.info().command().map(command -> command.contains("postgres")).orElse(false))
                    .filter(process -> runsOn(process, dataDir))
                    .isPresent();
            return alive ? Optional.of(new RunningPostgres(pid, Integer.parseInt(lines.get(3).trim()))) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether the process runs on this data directory: its working directory (Linux), else its arguments. */
    private static boolean runsOn(ProcessHandle process, Path dataDir) {
        Path cwd = Path.of("/proc", Long.toString(process.pid()), "cwd");
        if (Files.exists(Path.of("/proc/self/cwd"))) {
            // The postmaster changes into its data directory; /proc tells where it is.
            try {
                return samePath(cwd.toRealPath(), dataDir);
            } catch (IOException unreadable) {
                return false;
            }
        }
        return process.info().arguments().map(args -> String.join(" ", args).contains(dataDir.toString())).orElse(false);
    }

    private static boolean samePath(Path a, Path b) {
        try {
            return a.toRealPath().equals(b.toRealPath());
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
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
