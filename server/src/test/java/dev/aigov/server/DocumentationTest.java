package dev.aigov.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aigov.server.testing.Markdown;
import dev.aigov.server.testing.RepositoryFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository's Markdown holds together: every relative link in README.md, docs/ and the other
 * READMEs points to a file that exists and, with an {@code #anchor}, to a heading of it; and every
 * page of docs/ is linked from README.md, so that a newcomer can find it.
 */
class DocumentationTest {
    /** A scheme ({@code https:}, {@code mailto:}): not a file of the repository. */
    private static final Pattern EXTERNAL = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*:|//).*");
    private static final Path ROOT = RepositoryFiles.root();

    @Test
    void everyRelativeLinkPointsToAFileAndEveryAnchorToAHeading() {
        List<Path> files = markdownFiles();
        assertThat(files).as("Markdown files").contains(ROOT.resolve("README.md"), ROOT.resolve("docs/operations.md"));
        List<String> broken = new ArrayList<>();
        for (Path file : files) {
            for (String destination : Markdown.read(file).linkDestinations()) {
                if (EXTERNAL.matcher(destination).matches()) {
                    continue;
                }
                String problem = problemWith(file, destination);
                if (problem != null) {
                    broken.add(ROOT.relativize(file) + ": (" + destination + ") " + problem);
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void everyPageOfDocsIsLinkedFromTheReadme() throws IOException {
        Path readme = ROOT.resolve("README.md");
        Set<Path> linked = new TreeSet<>();
        for (String destination : Markdown.read(readme).linkDestinations()) {
            if (!EXTERNAL.matcher(destination).matches()) {
                linked.add(target(readme, destination));
            }
        }
        try (Stream<Path> pages = Files.list(ROOT.resolve("docs"))) {
            List<Path> docs = pages.filter(page -> page.toString().endsWith(".md")).map(Path::normalize).toList();
            assertThat(docs).as("docs/").isNotEmpty();
            assertThat(linked).as("files README.md links to").containsAll(docs);
        }
    }

    @Test
    void aLinkToAMissingFileOrHeadingIsFound() {
        Path readme = ROOT.resolve("README.md");
        assertThat(problemWith(readme, "docs/runbook.md#aigovstatestale")).isNull();
        assertThat(problemWith(readme, "#the-stop-no-decision-can-cross")).isNull();
        assertThat(problemWith(readme, "docs/runbook.md#no-such-heading")).contains("no heading");
        assertThat(problemWith(readme, "docs/no-such-page.md")).contains("no such file");
        assertThat(problemWith(readme, "../outside.md")).contains("outside");
    }

    /** Why {@code destination}, a relative link in {@code file}, does not resolve; null when it does. */
    private static String problemWith(Path file, String destination) {
        Path target = target(file, destination);
        if (!target.startsWith(ROOT)) {
            return "points outside the repository";
        }
        if (!Files.exists(target)) {
            return "no such file: " + ROOT.relativize(target);
        }
        int hash = destination.indexOf('#');
        if (hash >= 0 && target.toString().endsWith(".md")) {
            String anchor = destination.substring(hash + 1);
            if (!Markdown.read(target).anchors().contains(anchor)) {
                return "no heading of " + ROOT.relativize(target) + " has the anchor #" + anchor;
            }
        }
        return null;
    }

    /** The file a relative link names: from the linking file's folder, or from the root for {@code /path}. */
    private static Path target(Path file, String destination) {
        int hash = destination.indexOf('#');
        String path = hash < 0 ? destination : destination.substring(0, hash);
        if (path.isEmpty()) {
            return file.normalize();
        }
        return (path.startsWith("/") ? ROOT.resolve(path.substring(1)) : file.getParent().resolve(path)).normalize();
    }

    /** Every .md file of the repository, outside build output, hidden folders and dependencies. */
    private static List<Path> markdownFiles() {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    String name = dir.getFileName().toString();
                    boolean skipped = !dir.equals(ROOT) && (name.startsWith(".") || name.equals("target") || name.equals("node_modules"));
                    return skipped ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path path, BasicFileAttributes attributes) {
                    if (path.toString().endsWith(".md")) {
                        files.add(path.normalize());
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
