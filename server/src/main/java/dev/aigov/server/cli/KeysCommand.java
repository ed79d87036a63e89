package dev.aigov.server.cli;

import dev.aigov.evidence.SigningKeys;
import dev.aigov.server.evidence.KeysFile;
import dev.aigov.server.evidence.ReplicaKey;
import dev.aigov.server.storage.Database;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The keys that sign audit checkpoints (docs/evidence.md): list the published ones, rotate this replica's. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "List the published signing keys; rotate this replica's.",
        subcommands = {KeysCommand.ListKeys.class, KeysCommand.Rotate.class})
public final class KeysCommand {
    /** The key file a replica with these options signs with. */
    static Path keyFile(Path signingKeyFile, DatabaseOptions database) {
        if (signingKeyFile != null && !signingKeyFile.toString().isBlank()) {
            return signingKeyFile.toAbsolutePath();
        }
        if (database.toConfig().external().isPresent()) {
            throw new IllegalArgumentException("an external database's replica keeps its key where AIGOV_SIGNING_KEY_FILE says: "
                    + "give --signing-key-file (a replica without one signs with a key of its own lifetime, which needs no rotation)");
        }
        return database.toConfig().dataDir().toAbsolutePath().resolve("signing-key.pem");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print every published public key; with --json, as the keys.json audit verify --keys reads.")
    static final class ListKeys implements Callable<Integer> {
        @Option(names = "--json", description = "Print keys.json: {\"keys\":[{\"key_id\",\"algorithm\",\"public_key\"}]} (base64 keys).")
        boolean json;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Database opened = Database.open(database.toConfig(), Database.EmbeddedUse.JOIN_OR_START)) {
                if (json) {
                    out.print(KeysFile.json(opened.dsl()));
                } else {
                    KeysFile.published(opened.dsl()).getKeysList().forEach(key -> out.println(key.getKeyId() + "  " + key.getAlgorithm()
                            + "  " + Base64.getEncoder().encodeToString(key.getPublicKey().toByteArray()) + "  published "
                            + java.time.Instant.ofEpochSecond(key.getCreatedAt().getSeconds(), key.getCreatedAt().getNanos()) + "  by "
                            + key.getReplica()));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Make a new signing key for this replica and publish it; the old file is kept as "
                    + "signing-key.<key id>.pem.retired. A running server signs with the new key after SIGHUP or a restart; "
                    + "old keys stay published, so older receipts and checkpoints still verify.")
    static final class Rotate implements Callable<Integer> {
        @Option(names = "--signing-key-file", defaultValue = "${env:AIGOV_SIGNING_KEY_FILE}",
                description = "The key file to rotate (env AIGOV_SIGNING_KEY_FILE; unset: signing-key.pem in the data directory).")
        Path signingKeyFile;

        @Mixin
        DatabaseOptions database;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Path file = keyFile(signingKeyFile, database);
            SigningKeys.PrivateKey made = SigningKeys.generate();
            try (Database opened = Database.open(database.toConfig(), Database.EmbeddedUse.JOIN_OR_START)) {
                // Published before any checkpoint can name it.
                ReplicaKey.publish(opened.dsl(), made.publicKey(), "keys rotate:" + file);
            }
            String was = "none";
            if (Files.exists(file)) {
                SigningKeys.PrivateKey old = SigningKeys.read(file);
                was = old.publicKey().keyId();
                Path retired = file.resolveSibling(file.getFileName().toString().replaceFirst("\\.pem$", "") + "." + was + ".pem.retired");
                try {
                    Files.copy(file, retired, StandardCopyOption.COPY_ATTRIBUTES);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not keep the old key as " + retired, e);
                }
            }
            SigningKeys.write(made, file);
            PrintWriter out = spec.commandLine().getOut();
            out.println("Rotated " + file + ": " + was + " -> " + made.publicKey().keyId()
                    + ". Send the server SIGHUP (or restart it) to sign with the new key; " + was + " stays published.");
            out.flush();
            return 0;
        }
    }
}
