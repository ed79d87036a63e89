package dev.aigov.core;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The code-owned allowlist of use cases the rules decide with, and its {@link CatalogVersion}. The
 * server reads it from a catalog file (aigov-catalog: the jar's built-in one, or {@code
 * AIGOV_CATALOG_FILE}) at start and on a reload; nothing changes a catalog once made.
 */
public final class Catalog {
    /** The canonical encoding's first bytes: a change of the encoding is a change of every digest. */
    private static final String ENCODING = "aigov-catalog-v1";

    private final List<UseCase> useCases;
    private final CatalogVersion version;

    public Catalog(List<UseCase> useCases) {
        this(useCases, Optional.empty());
    }

    public Catalog(List<UseCase> useCases, Optional<String> label) {
        this.useCases = useCases.stream().sorted(Comparator.comparing(UseCase::key)).toList();
        this.version = new CatalogVersion(digestOf(this.useCases), label);
    }

    /** The digest of its use cases and the file's label: stamped on every decision made with it. */
    public CatalogVersion version() {
        return version;
    }

    /**
     * {@code sha256:<hex>} of the canonical encoding of {@code useCases}: the text {@code
     * aigov-catalog-v1}, then each use case in key order as its key, source family, tenant context
     * flag (one byte, 1 or 0), provider classes, data classifications (each set as a 4-byte count and
     * its words in sorted order) and description. Every text is a 4-byte big-endian length and its
     * UTF-8 bytes. Neither the file's layout, its key order nor its label changes the digest; any
     * change to what the rules read does.
     */
    public static String digestOf(List<UseCase> useCases) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            text(out, ENCODING);
            for (UseCase useCase : useCases.stream().sorted(Comparator.comparing(UseCase::key)).toList()) {
                text(out, useCase.key());
                text(out, useCase.sourceFamily());
                out.writeByte(useCase.tenantContextPermitted() ? 1 : 0);
                words(out, useCase.providerClasses());
                words(out, useCase.dataClassifications());
                text(out, useCase.description());
            }
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JDK has SHA-256", impossible);
        }
    }

    private static void text(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static void words(DataOutputStream out, Collection<? extends Enum<?>> values) throws IOException {
        List<String> sorted = values.stream().map(Vocabulary::word).sorted().toList();
        out.writeInt(sorted.size());
        for (String word : sorted) {
            text(out, word);
        }
    }

    /** Every use case, ordered by key. */
    public List<UseCase> useCases() {
        return useCases;
    }

    public Optional<UseCase> find(String key) {
        return useCases.stream().filter(useCase -> useCase.key().equals(key)).findFirst();
    }
}
