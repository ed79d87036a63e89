package dev.aigov.server.cli;

import dev.aigov.server.identity.Capability;
import dev.aigov.server.identity.PrincipalRepository;
import dev.aigov.server.identity.TokenAdministration;
import dev.aigov.server.storage.Database;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Token administration. Works whether or not the server runs: with the embedded database it joins
 * the running server's PostgreSQL instead of starting its own.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Mint, revoke and list bearer tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.Revoke.class, TokenCommand.ListTokens.class})
public final class TokenCommand {

    static <T> T withTokens(DatabaseOptions options, Function<TokenAdministration, T> work) {
        try (Database database = Database.open(options.toConfig(), Database.EmbeddedUse.JOIN_OR_START)) {
            return work.apply(new TokenAdministration(new PrincipalRepository(database.dsl()), Clock.systemUTC()));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Mint a token. It is printed once, alone on the last line; only its hash is stored.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "A unique name for the token's holder, e.g. ops-oncall.")
        String name;

        @Option(names = "--capability", required = true,
                description = "A capability (repeatable): ai.decisions.evaluate, workspace.ai_policy.view, "
                        + "workspace.ai_policy.manage, ops.controls.view, ops.controls.manage, audit.read.")
        List<String> capabilities;

        @Option(names = "--workspace", description = "Limit the token to this workspace (repeatable). Default: every workspace.")
        List<String> workspaces = List.of();

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            TokenAdministration.TokenRequest request = TokenAdministration.validate(name, capabilities, workspaces);
            TokenAdministration.MintedToken minted = withTokens(database, tokens -> tokens.create(request));
            PrintWriter out = spec.commandLine().getOut();
            out.println("Created token '" + minted.principal().name() + "' with " + capabilities(minted.principal().capabilities())
                    + minted.principal().workspaces().map(ws -> " for workspaces " + String.join(", ", ws)).orElse(" for every workspace")
                    + ". It is shown once; store it now:");
            out.println(minted.token());
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by name; calls with it fail at once.")
    static final class Revoke implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "The token's name.")
        String name;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            boolean revoked = withTokens(database, tokens -> tokens.revoke(name));
            if (!revoked) {
                spec.commandLine().getErr().println("No active token named '" + name + "'.");
                return 1;
            }
            spec.commandLine().getOut().println("Revoked token '" + name + "'.");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their secrets).")
    static final class ListTokens implements Callable<Integer> {
        @Option(names = "--all", description = "Include revoked tokens.")
        boolean all;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<PrincipalRepository.Listing> listing = withTokens(database, tokens -> tokens.list(all));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-24s %-14s %-28s %-22s %s%n", "NAME", "TOKEN", "CREATED", "WORKSPACES", "CAPABILITIES");
            for (PrincipalRepository.Listing row : listing) {
                out.printf("%-24s %-14s %-28s %-22s %s%s%n", row.name(), row.tokenHint(), row.createdAt(),
                        row.workspaces().map(ws -> String.join(",", ws)).orElse("*"), capabilities(row.capabilities()),
                        row.revokedAt().map(at -> "  (revoked " + at + ")").orElse(""));
            }
            out.flush();
            return 0;
        }
    }

    private static String capabilities(java.util.Set<Capability> capabilities) {
        return capabilities.stream().map(Capability::key).sorted().collect(Collectors.joining(","));
    }
}
