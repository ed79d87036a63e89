package dev.aigov.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One program run to its end, as a shell runs it: in a folder, with an environment, its output captured. */
public final class Command {
    private Command() {
    }

    /** What a program printed, and how it exited. */
    public record Result(List<String> command, int exitCode, String out, String err) {
        /** The output, failing with everything the program said unless it exited 0. */
        public String succeeded() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + exitCode + ":\n" + err + out);
            }
            return out;
        }
    }

    /**
     * Runs {@code command} in {@code folder} with the inherited environment, less every {@code AIGOV_}
     * variable, plus {@code environment}; fails past {@code timeout}.
     */
    public static Result run(List<String> command, Path folder, Map<String, String> environment, Duration timeout) {
        try {
            Path out = Files.createTempFile("command", ".out");
            Path err = Files.createTempFile("command", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                builder.environment().keySet().removeIf(name -> name.startsWith("AIGOV_"));
                builder.environment().putAll(environment);
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ":\n"
                            + Files.readString(err) + Files.readString(out));
                }
                return new Result(command, process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
