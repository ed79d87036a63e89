package dev.aigov.server.evidence;

import java.io.IOException;
import java.nio.file.Path;
import org.jooq.DSLContext;

/**
 * Verifies the audit trail (docs/evidence.md, "Verifying"): per chain, seq without gaps from its
 * first retained checkpoint, every prev, every signature against a trusted key, every root against
 * its events' leaves (count, order, content), every chained event covered, and the trusted head
 * reached. Reports the first break of each chain; a broken chain is not checked further.
 */
public final class TrailVerifier {
    private TrailVerifier() {
    }

    /**
     * Verifies the trail in the database behind {@code dsl} (read only).
     *
     * @param source        how the report names the database
     * @param keysFromTrail whether {@code options.keys()} were read from the database itself
     */
    public static VerifyReport verifyDatabase(DSLContext dsl, VerifyOptions options, String source, boolean keysFromTrail) {
        return new DatabaseTrail(dsl, options).verify(source, keysFromTrail);
    }

    /** Verifies an export file offline. An unreadable line is an {@link IllegalArgumentException} naming it. */
    public static VerifyReport verifyFile(Path file, VerifyOptions options) throws IOException {
        return new ExportFileTrail(file, options).verify();
    }
}
