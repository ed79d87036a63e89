package dev.aigov.catalog;

import dev.aigov.catalog.LocatedJson.Obj;
import dev.aigov.catalog.LocatedJson.Scalar;
import dev.aigov.catalog.LocatedJson.Value;
import dev.aigov.core.Catalog;
import dev.aigov.core.DataClassification;
import dev.aigov.core.PolicyMode;
import dev.aigov.core.ProviderClass;
import dev.aigov.core.UseCase;
import dev.aigov.core.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a catalog file (format {@value #FORMAT}, docs/catalog.md, schema docs/catalog.schema.json)
 * and refuses any that is not valid, naming the file, the line and the problem ({@link InvalidFile}).
 * Valid means: well-formed JSON, no field the format does not have, every classification and provider
 * class a word of the contract's vocabulary, no key twice, and no use case that no request could ever
 * be allowed for (no provider class, no classification, or only provider classes no policy mode permits).
 */
public final class CatalogFile {
    /** The one format version this release reads. */
    public static final int FORMAT = 1;

    /** The jar's own catalog, used when {@code AIGOV_CATALOG_FILE} is unset. */
    public static final String BUILT_IN_RESOURCE = "catalog/default.json";

    /** The most characters of a label. */
    public static final int MAX_LABEL_LENGTH = 128;

    /** The fields of a catalog file, and of each of its use cases, in the order docs/catalog.md lists them. */
    public static final List<String> CATALOG_FIELDS = List.of("$schema", "format", "label", "use_cases");
    public static final List<String> USE_CASE_FIELDS = List.of("key", "description", "source_family", "tenant_context_permitted",
            "provider_classes", "data_classifications");

    private CatalogFile() {
    }

    /** The jar's built-in catalog (read once). */
    public static LoadedCatalog builtIn() {
        return BuiltIn.CATALOG;
    }

    private static final class BuiltIn {
        static final LoadedCatalog CATALOG = readBuiltIn();

        private static LoadedCatalog readBuiltIn() {
            try (InputStream in = CatalogFile.class.getClassLoader().getResourceAsStream(BUILT_IN_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(BUILT_IN_RESOURCE + " is missing from the class path");
                }
                LoadedCatalog read = parse(BUILT_IN_RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                return new LoadedCatalog(Optional.empty(), read.catalog());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Reads and validates {@code file}; throws {@link InvalidFile} naming the file and each problem's line. */
    public static LoadedCatalog load(Path file) {
        LoadedCatalog read = parse(file.toString(), readText(file));
        return new LoadedCatalog(Optional.of(file), read.catalog());
    }

    /** The text of a catalog or test file, or an {@link InvalidFile} saying why it cannot be read. */
    static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            Problems problems = new Problems(file.toString());
            problems.add(0, "cannot be read (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + ")");
            problems.throwIfAny();
            throw new AssertionError(e);
        }
    }

    /** Validates {@code text}, a catalog named {@code name} in messages. */
    public static LoadedCatalog parse(String name, String text) {
        Problems problems = new Problems(name);
        Value root = LocatedJson.read(text, problems);
        problems.throwIfAny();
        Obj object = Fields.asObject(problems, root, "the catalog").orElse(null);
        problems.throwIfAny();
        requireFormat(problems, object);
        problems.throwIfAny();
        Fields catalog = new Fields(problems, object, "the catalog", CATALOG_FIELDS);
        catalog.string("$schema", false);
        Optional<String> label = catalog.string("label", false).filter(l -> {
            if (l.isBlank() || l.length() > MAX_LABEL_LENGTH || l.chars().anyMatch(Character::isISOControl)) {
                problems.add(catalog.line("label"), "the catalog: label must be 1 to " + MAX_LABEL_LENGTH
                        + " characters, not blank, without control characters");
                return false;
            }
            return true;
        });
        List<UseCase> useCases = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        List<Value> items = catalog.array("use_cases", true).orElse(List.of());
        int index = 0;
        for (Obj item : catalog.objects(items, "a use case")) {
            index++;
            Optional<UseCase> useCase = useCase(problems, item, index);
            useCase.ifPresent(read -> {
                Integer first = firstLine.putIfAbsent(read.key(), item.line());
                if (first != null) {
                    problems.add(item.line(), "use case '" + read.key() + "' is declared twice (first at line " + first + ")");
                } else {
                    useCases.add(read);
                }
            });
        }
        problems.throwIfAny();
        return new LoadedCatalog(Optional.empty(), new Catalog(useCases, label));
    }

    /** Format first: a file of another format is refused before anything else in it is judged. */
    static void requireFormat(Problems problems, Obj object) {
        if (!object.members().containsKey("format")) {
            problems.add(object.line(), "format is required (this aigov reads format " + FORMAT + ")");
            return;
        }
        Value format = object.members().get("format").value();
        if (!(format instanceof Scalar scalar && scalar.token() == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT
                && scalar.text().equals(Integer.toString(FORMAT)))) {
            String written = format instanceof Scalar written0 ? (written0.isString() ? "\"" + written0.text() + "\"" : written0.text())
                    : LocatedJson.kind(format);
            problems.add(format.line(), "format " + written + " is not one this aigov reads (it reads format " + FORMAT + ")");
        }
    }

    private static Optional<UseCase> useCase(Problems problems, Obj item, int index) {
        Optional<String> rawKey = Optional.ofNullable(item.members().get("key"))
                .map(member -> member.value() instanceof Scalar scalar && scalar.isString() ? scalar.text() : null);
        String what = rawKey.map(key -> "use case '" + key + "'").orElse("use case " + index);
        Fields fields = new Fields(problems, item, what, USE_CASE_FIELDS);
        Optional<String> key = fields.id("key", true, "so no request could name it");
        Optional<String> description = fields.string("description", true).filter(text -> {
            if (text.isBlank()) {
                problems.add(fields.line("description"), what + ": description is blank (say what the use case is for)");
                return false;
            }
            return true;
        });
        Optional<String> sourceFamily = fields.id("source_family", true, "so no request could come from it");
        Optional<Boolean> tenantContext = fields.bool("tenant_context_permitted", true);
        String never = "so no request could ever be allowed";
        Optional<Set<ProviderClass>> providerClasses = fields.words("provider_classes", true, ProviderClass.class, "provider class",
                true, never);
        Optional<Set<DataClassification>> classifications = fields.words("data_classifications", true, DataClassification.class,
                "data classification", true, never);
        providerClasses.filter(classes -> classes.stream().noneMatch(PolicyMode::anyPermits)).ifPresent(classes -> problems.add(
                fields.line("provider_classes"), what + ": no policy mode permits " + words(classes) + ", " + never
                        + " (the policy modes permit: " + words(Arrays.stream(ProviderClass.values()).filter(PolicyMode::anyPermits)
                                .collect(Collectors.toSet()))
                        + ")"));
        if (key.isEmpty() || description.isEmpty() || sourceFamily.isEmpty() || tenantContext.isEmpty() || providerClasses.isEmpty()
                || classifications.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new UseCase(key.get(), sourceFamily.get(), tenantContext.get(), providerClasses.get(),
                classifications.get(), description.get()));
    }

    private static String words(Set<? extends Enum<?>> values) {
        return values.stream().sorted().map(Vocabulary::word).collect(Collectors.joining(", "));
    }
}
