package dev.aigov.server.evidence;

import dev.aigov.evidence.SigningKeys;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How retention verifies an archive before it drops its month: re-reads the file and checks every
 * checkpoint's signature and root ({@link ExportVerifier}). The one place to plug in {@code audit
 * verify}'s TrailVerifier once it is on the integration branch.
 */
final class ArchiveCheck {
    private ArchiveCheck() {
    }

    static ExportVerifier.Result verify(Path archive, SigningKeys.KeySet keys) throws IOException {
        return ExportVerifier.verifyFile(archive, keys);
    }
}
