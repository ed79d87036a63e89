package dev.aigov.server.cli;

import dev.aigov.catalog.CatalogFile;
import dev.aigov.catalog.CatalogTestSuite;
import dev.aigov.catalog.InvalidFile;
import dev.aigov.catalog.LoadedCatalog;
import dev.aigov.catalog.Problem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code catalog check FILE} and {@code catalog test FILE TESTS}: a catalog file judged, and its test
 * suite run, before it ships (docs/catalog.md). Exit 0 when it holds, 1 when it does not, each
 * problem or failing case on a line of its own; nothing is started and no database is touched.
 */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = "Check a catalog file, or run its test suite, before it ships (docs/catalog.md).",
        subcommands = {CatalogCommand.Check.class, CatalogCommand.Test.class})
public final class CatalogCommand {
    /** The exit code of a catalog or suite that does not hold (invalid, or a failing case). */
    public static final int FAILED = 1;

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a catalog file as the server does at start: prints 'ok: N use cases', or every problem "
                    + "with its line (exit 1).")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The catalog file.")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                LoadedCatalog catalog = CatalogFile.load(file);
                // The version the server will report (aigov_catalog_version, each Decision's catalog) once it serves this file.
                out.println("ok: " + catalog.useCases() + ", version " + catalog.catalog().version().describe());
                out.flush();
                return 0;
            } catch (InvalidFile invalid) {
                return report(spec, invalid);
            }
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Run a catalog's test suite with the server's rules: prints a line per failing case and a summary "
                    + "(exit 1 when a case fails or either file is invalid).")
    static final class Test implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "The catalog file.")
        Path file;

        @Parameters(index = "1", paramLabel = "TESTS", description = "The test suite (docs/catalog.md#test-suites).")
        Path tests;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            CatalogTestSuite.Result result;
            try {
                LoadedCatalog catalog = CatalogFile.load(file);
                result = CatalogTestSuite.load(tests).run(catalog.catalog());
            } catch (InvalidFile invalid) {
                return report(spec, invalid);
            }
            result.failures().forEach(out::println);
            out.println(result.summary());
            out.flush();
            return result.passed() ? 0 : FAILED;
        }
    }

    /** Every problem of an invalid file, one per line, on standard error. */
    private static int report(CommandSpec spec, InvalidFile invalid) {
        PrintWriter err = spec.commandLine().getErr();
        for (Problem problem : invalid.problems()) {
            err.println(problem);
        }
        err.flush();
        return FAILED;
    }
}
