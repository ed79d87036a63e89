package dev.aigov.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a start may take for a running postmaster, and so stop: never another process. */
class RunningPostgresTest {

    @Test
    void aStalePidFileNamingAnotherLiveProcessIsNoPostmaster(@TempDir Path dataDir) throws IOException {
        // After a reboot the pid in postmaster.pid may belong to anything: here, this JVM.
        writePidFile(dataDir, ProcessHandle.current().pid(), dataDir);

        assertThat(RunningPostgres.find(dataDir)).isEmpty();
    }

    @Test
    void aLiveProcessNamedPostgresThatDoesNotRunOnThisDataDirectoryIsNeverTakenForItsPostmaster(@TempDir Path dataDir,
            @TempDir Path bin) throws Exception {
        // A program called postgres whose pid a stale postmaster.pid names: it must not be stopped.
        Path imposter = Files.copy(Path.of("/bin/sleep"), bin.resolve("postgres"));
        assertThat(imposter.toFile().setExecutable(true)).isTrue();
        Process process = new ProcessBuilder(imposter.toString(), "60").directory(bin.toFile()).start();
        try {
            writePidFile(dataDir, process.pid(), dataDir);

            assertThat(RunningPostgres.find(dataDir)).isEmpty();
            assertThat(process.isAlive()).isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aPidFileNamingAnotherDataDirectoryIsNoPostmasterOfThisOne(@TempDir Path dataDir, @TempDir Path elsewhere) throws IOException {
        writePidFile(dataDir, ProcessHandle.current().pid(), elsewhere);

        assertThat(RunningPostgres.find(dataDir)).isEmpty();
    }

    @Test
    void startersOnOneDataDirectoryTakeTurnsSoNoneLosesItsOwnerFile(@TempDir Path home) throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Integer> inside = new ArrayList<>();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int starter = i;
            done.add(starters.submit(() -> {
                go.await();
                return OwnerFile.whileStarting(home, () -> {
                    synchronized (inside) {
                        inside.add(starter);
                        assertThat(inside).as("starters inside at once").hasSize(1);
                    }
                    OwnerFile.claim(home);
                    assertThat(OwnerFile.read(home)).contains(OwnerFile.current());
                    synchronized (inside) {
                        inside.remove((Integer) starter);
                    }
                    return null;
                });
            }));
        }
        go.countDown();
        for (Future<?> one : done) {
            one.get(30, TimeUnit.SECONDS);
        }
        starters.shutdownNow();
        assertThat(OwnerFile.read(home)).contains(OwnerFile.current());
        assertThat(home.resolve(OwnerFile.START_LOCK)).exists();
    }

    private static void writePidFile(Path dataDir, long pid, Path namedDataDir) throws IOException {
        Files.writeString(dataDir.resolve("postmaster.pid"),
                pid + "\n" + namedDataDir + "\n1700000000\n5432\n/tmp\nlocalhost\n  5432001         0\nready\n");
    }
}
