package dev.aigov.server.cli;

import dev.aigov.server.storage.Database;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Migrates the schema as the owner role and exits: for deployments whose server runs without the
 * owner's login (AIGOV_DB_MIGRATION_USER unset), e.g. as a Kubernetes Job or an init container.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Migrate the database schema as the owner role (AIGOV_DB_MIGRATION_USER / AIGOV_DB_MIGRATION_PASSWORD) and exit.")
public final class MigrateCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String migrated = Database.migrateOnly(database.toConfig());
        spec.commandLine().getOut().println("Migrated " + migrated + ".");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
