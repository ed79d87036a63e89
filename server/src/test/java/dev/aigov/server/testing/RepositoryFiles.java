package dev.aigov.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Files of the repository that tests read (deploy/, README.md, docs/), wherever the test runs from. */
public final class RepositoryFiles {
    private RepositoryFiles() {
    }

    /** The repository's root: where README.md, docs/ and deploy/ are. */
    public static Path root() {
        return deployDir().getParent();
    }

    /** {@code deploy/}: Surefire runs with the server module as working directory; an IDE may use the repo root. */
    public static Path deployDir() {
        Path workingDir = Path.of("").toAbsolutePath();
        List<Path> candidates = new ArrayList<>();
        if (workingDir.getParent() != null) {
            candidates.add(workingDir.getParent().resolve("deploy"));
        }
        candidates.add(workingDir.resolve("deploy"));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve("Dockerfile"))) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("deploy/ not found: looked for a Dockerfile in " + candidates + " (working directory "
                + workingDir + "). Run this test from the server module (as Maven does) of a full checkout.");
    }
}
