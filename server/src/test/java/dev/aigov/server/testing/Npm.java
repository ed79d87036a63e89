package dev.aigov.server.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The independent clients the build installs from npm (buf, connect-node), each into a cache folder of its own. */
public final class Npm {
    private static final Duration INSTALL_BOUND = Duration.ofMinutes(5);

    private Npm() {
    }

    /**
     * Installs {@code packages} (pinned, {@code name@version}) into {@code home}; {@code who} names
     * the test that needs them, for the message when npm is missing.
     */
    public static void install(Path home, List<String> packages, String who) {
        String npm = onPath("npm").orElseThrow(() -> new AssertionError(who + " installs " + String.join(" ", packages) + " from npm into "
                + home + ", but npm is not on the PATH. Install Node.js (npm), or install them there yourself: npm install --prefix "
                + home + " " + String.join(" ", packages)));
        try {
            Files.createDirectories(home.getParent());
            // Into a folder of its own first, then moved into place: two builds installing at once never see half of one.
            Path staging = Files.createTempDirectory(home.getParent(), home.getFileName() + ".installing-");
            List<String> command = new ArrayList<>(List.of(npm, "install", "--prefix", staging.toString(), "--no-save", "--no-audit",
                    "--no-fund", "--loglevel=error"));
            command.addAll(packages);
            Command.run(command, staging, Map.of(), INSTALL_BOUND).succeeded();
            try {
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException anotherInstalledIt) {
                // Another build installed it meanwhile (the staging folder is left behind, in the cache only).
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The executable {@code program} on the PATH, if there is one. */
    public static Optional<String> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator, -1)) {
            Path candidate = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }
}
