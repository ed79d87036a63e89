package dev.aigov.server.evaluation;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.catalog.InvalidFile;
import dev.aigov.catalog.LoadedCatalog;
import dev.aigov.core.Catalog;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog this replica decides with now: the one it started with, until a {@link #reload} of
 * the same file finds a valid one. An invalid file never serves: the reload keeps the last good
 * catalog, logs an ERROR naming the file, line and problem, and is reported as failed until a
 * reload succeeds.
 *
 * <p>Each decision reads the catalog once ({@link #get}) and carries its version, so a decision made
 * across a reload is made, and stamped, with one catalog. A reload is not ordered with decisions as a
 * pause is: each replica decides with what it has loaded, and says which.
 */
public final class CurrentCatalog implements Supplier<Catalog> {
    private static final Logger LOG = LoggerFactory.getLogger(CurrentCatalog.class);

    /** What a reload did. */
    public sealed interface Reload {
        /** The catalog served after the reload. */
        LoadedCatalog serving();

        /** The file was read and is valid: it serves now (perhaps the same content as before). */
        record Loaded(LoadedCatalog serving) implements Reload {
        }

        /** The file is invalid or unreadable (the problem says which line, or why): the last good catalog goes on serving. */
        record Refused(LoadedCatalog serving, String problem) implements Reload {
        }

        /** The server runs the jar's built-in catalog: there is no file to read again. */
        record BuiltIn(LoadedCatalog serving) implements Reload {
        }
    }

    private final AtomicReference<LoadedCatalog> loaded;
    private volatile boolean lastReloadFailed;

    public CurrentCatalog(LoadedCatalog initial) {
        this.loaded = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    }

    @Override
    public Catalog get() {
        return loaded.get().catalog();
    }

    /** Whether the last reload found an invalid file (the previous catalog still serving); false once one succeeds. */
    public boolean lastReloadFailed() {
        return lastReloadFailed;
    }

    /** Reads the catalog file again and serves it if it is valid; otherwise keeps serving the last good one. */
    public synchronized Reload reload() {
        LoadedCatalog before = loaded.get();
        if (before.file().isEmpty()) {
            LOG.info("catalog reload: the built-in catalog serves (AIGOV_CATALOG_FILE is not set), nothing to read again");
            return new Reload.BuiltIn(before);
        }
        try {
            LoadedCatalog read = CatalogFile.load(before.file().get());
            loaded.set(read);
            lastReloadFailed = false;
            boolean changed = !read.catalog().version().equals(before.catalog().version());
            LOG.info("catalog reloaded: {}, version {}{}", read.describe(), read.catalog().version().describe(),
                    changed ? " (was " + before.catalog().version().describe() + ")" : " (unchanged)");
            return new Reload.Loaded(read);
        } catch (InvalidFile invalid) {
            return refused(before, invalid.getMessage());
        } catch (RuntimeException unexpected) {
            // Not the file's fault as far as we know, but nothing new serves either: counted and alerted on the same way.
            return refused(before, "could not be reloaded (" + unexpected + ")");
        }
    }

    private Reload refused(LoadedCatalog before, String problem) {
        lastReloadFailed = true;
        LOG.error("catalog reload refused, the last good catalog ({}) goes on serving: {}", before.catalog().version().describe(),
                problem);
        return new Reload.Refused(before, problem);
    }
}
