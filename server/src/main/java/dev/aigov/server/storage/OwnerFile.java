package dev.aigov.server.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code <home>/embedded-postgres.owner}: which process (pid and start time) started the embedded
 * PostgreSQL. The postmaster outlives a JVM killed with SIGKILL; this file tells a later aigov
 * whether the process that owns a running postmaster is still alive (refuse to start) or gone
 * (the postmaster is an orphan: stop it and start afresh). The start time tells a reused pid apart.
 */
record OwnerFile(long pid, Optional<Instant> startedAt) {
    static final String FILE_NAME = "embedded-postgres.owner";

    /** The current process. */
    static OwnerFile current() {
        ProcessHandle self = ProcessHandle.current();
        return new OwnerFile(self.pid(), self.info().startInstant());
    }

    /** Whether the process this file names is still alive (and is the same process, not a reused pid). */
    boolean alive() {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(process -> startedAt.isEmpty() || process.info().startInstant().equals(startedAt))
                .orElse(false);
    }

    static Optional<OwnerFile> read(Path home) {
        Path file = home.resolve(FILE_NAME);
        try {
            String[] parts = Files.readString(file).strip().split("\\s+");
            long pid = Long.parseLong(parts[0]);
            Optional<Instant> startedAt =
                    parts.length > 1 && !parts[1].equals("-") ? Optional.of(Instant.parse(parts[1])) : Optional.empty();
            return Optional.of(new OwnerFile(pid, startedAt));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // Unreadable: nobody can be shown to own it; treat it as a dead owner's.
            return Optional.of(new OwnerFile(-1, Optional.empty()));
        }
    }

    /** Names this process as the owner. */
    static void claim(Path home) {
        OwnerFile self = current();
        try {
            Files.createDirectories(home);
            Path draft = Files.createTempFile(home, "owner", ".tmp");
            Files.writeString(draft, self.pid + " " + self.startedAt.map(Instant::toString).orElse("-") + "\n");
            Files.move(draft, home.resolve(FILE_NAME), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + home.resolve(FILE_NAME), e);
        }
    }

    /** Removes the file if it names this process (under the start lock: never another starter's file). */
    static void deleteIfOurs(Path home) {
        whileStarting(home, () -> {
            if (read(home).filter(owner -> owner.pid == current().pid).isPresent()) {
                try {
                    Files.deleteIfExists(home.resolve(FILE_NAME));
                } catch (IOException e) {
                    // A stale file names a dead process: the next start treats the postmaster (if any) as an orphan.
                }
            }
            return null;
        });
    }

    static final String START_LOCK = "embedded-postgres.start.lock";
    private static final java.util.concurrent.ConcurrentMap<Path, java.util.concurrent.locks.ReentrantLock> STARTING =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Runs {@code work} (find a running postmaster, judge its owner, start one, claim or remove the
     * owner file) while holding {@code <home>/embedded-postgres.start.lock}: an OS file lock, so two
     * aigov processes starting on one data directory at once take turns, and neither can remove
     * the owner file the other just wrote. The OS releases it when the process dies.
     */
    static <T> T whileStarting(Path home, java.util.function.Supplier<T> work) {
        java.util.concurrent.locks.ReentrantLock inProcess =
                STARTING.computeIfAbsent(home, h -> new java.util.concurrent.locks.ReentrantLock());
        inProcess.lock();
        try {
            if (inProcess.getHoldCount() > 1) {
                return work.get(); // this thread holds the file lock already
            }
            Files.createDirectories(home);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(home.resolve(START_LOCK),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock held = channel.lock()) {
                return work.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not lock " + home.resolve(START_LOCK), e);
        } finally {
            inProcess.unlock();
        }
    }
}
