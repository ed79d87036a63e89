package dev.aigov.server.storage;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The embedded PostgreSQL's passwords: its superuser's, the owner role's and the runtime role's,
 * random, kept in {@code credentials.properties} in aigov's data directory, readable by its owner only
 * (mode 0600). Whoever can read that file can administer the embedded database; nobody else can.
 *
 * @param created whether this call created the file (a data directory that had none is new, or
 *                comes from an aigov that ran everything as a password-less superuser)
 */
public record EmbeddedCredentials(String superuserPassword, String ownerPassword, String runtimePassword, boolean created) {
    public static final String SUPERUSER = "postgres";
    public static final String OWNER_ROLE = "aigov_owner";
    public static final String RUNTIME_ROLE = "aigov_runtime";
    static final String FILE_NAME = "credentials.properties";

    @Override
    public String toString() {
        return "EmbeddedCredentials[***]";
    }

    /** Reads the credentials file of {@code home}; fails with a clear message when there is none. */
    public static EmbeddedCredentials read(Path home) {
        Path file = home.resolve(FILE_NAME);
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the embedded PostgreSQL's credentials " + file + ": " + e.getMessage()
                    + " (run aigov as the user that owns " + home + ")", e);
        }
        return new EmbeddedCredentials(required(properties, file, "superuser.password"), required(properties, file, "owner.password"),
                required(properties, file, "runtime.password"), false);
    }

    /** Reads the credentials of {@code home}, or creates them (mode 0600, atomically) when there are none. */
    static EmbeddedCredentials readOrCreate(Path home) {
        Path file = home.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return read(home);
        }
        try {
            Files.createDirectories(home);
            Path draft = Files.createTempFile(home, "credentials", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Properties properties = new Properties();
            properties.setProperty("superuser.password", randomPassword());
            properties.setProperty("owner.password", randomPassword());
            properties.setProperty("runtime.password", randomPassword());
            try (Writer writer = Files.newBufferedWriter(draft)) {
                properties.store(writer, "aigov: the embedded PostgreSQL's passwords. Keep this file private (0600).");
            }
            try {
                // A link appears whole or not at all, and never replaces: of two processes creating it at once, the first one's stands.
                Files.createLink(file, draft);
            } catch (FileAlreadyExistsException e) {
                return read(home);
            } finally {
                Files.deleteIfExists(draft);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the embedded PostgreSQL's credentials to " + file, e);
        }
        EmbeddedCredentials written = read(home);
        return new EmbeddedCredentials(written.superuserPassword, written.ownerPassword, written.runtimePassword, true);
    }

    private static String required(Properties properties, Path file, String key) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(file + " has no " + key);
        }
        return value;
    }

    private static String randomPassword() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
