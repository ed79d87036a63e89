import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Target;

/**
 * Generates the jOOQ classes from the Flyway migrations, against a real PostgreSQL: starts an
 * embedded PostgreSQL, migrates it, and reads the schema back. Run by the db module's build
 * (exec-maven-plugin, Java's single-file source launcher) in generate-sources.
 *
 * <p>Arguments: the migrations folder, the output folder, and a scratch folder for PostgreSQL.
 * Skips the work when the output is newer than every migration and this file.
 */
public final class GenerateJooqClasses {

    public static void main(String[] args) throws Exception {
        Path migrations = Path.of(args[0]);
        Path output = Path.of(args[1]);
        Path scratch = Path.of(args[2]);
        Path self = Path.of(args[3]);
        Path stamp = output.resolve(".generated");

        if (Files.exists(stamp) && Files.getLastModifiedTime(stamp).compareTo(newestInput(migrations, self)) > 0) {
            System.out.println("jOOQ classes are up to date with " + migrations);
            return;
        }
        deleteRecursively(output);
        Files.createDirectories(scratch);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(scratch.toFile())
                .setCleanDataDirectory(true)
                .start()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            Flyway.configure()
                    .dataSource(postgres.getPostgresDatabase())
                    .locations("filesystem:" + migrations.toAbsolutePath())
                    .load()
                    .migrate();
            GenerationTool.generate(new Configuration()
                    .withJdbc(new Jdbc().withDriver("org.postgresql.Driver").withUrl(url).withUser("postgres"))
                    .withGenerator(new Generator()
                            .withDatabase(new Database()
                                    .withName("org.jooq.meta.postgres.PostgresDatabase")
                                    .withInputSchema("public")
                                    .withIncludes(".*")
                                    // Monthly partitions are named by date; the table is what code uses.
                                    .withExcludes("flyway_schema_history | audit_events_.+"))
                            .withGenerate(new Generate()
                                    .withRecords(true)
                                    .withPojos(false)
                                    .withDaos(false)
                                    .withJavaTimeTypes(true)
                                    .withGeneratedAnnotation(false))
                            .withTarget(new Target()
                                    .withPackageName("dev.aigov.db.jooq")
                                    .withDirectory(output.toAbsolutePath().toString()))));
        }
        Files.createDirectories(output);
        Files.writeString(stamp, "generated from " + migrations.toAbsolutePath() + "\n");
    }

    private static FileTime newestInput(Path migrations, Path self) throws IOException {
        FileTime newest = Files.getLastModifiedTime(self);
        try (Stream<Path> files = Files.walk(migrations)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                FileTime time = Files.getLastModifiedTime(file);
                if (time.compareTo(newest) > 0) {
                    newest = time;
                }
            }
        }
        return newest;
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
