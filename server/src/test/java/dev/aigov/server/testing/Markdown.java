package dev.aigov.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableBody;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;

/**
 * A Markdown file of the repository read as GitHub renders it (CommonMark with GFM tables): its
 * headings and their anchors, its links, and the code blocks and tables of one section, so that
 * tests can hold the docs against the code.
 */
public final class Markdown {
    private static final Parser PARSER = Parser.builder().extensions(List.of(TablesExtension.create())).build();

    private final Path file;
    private final Node document;

    private Markdown(Path file, Node document) {
        this.file = file;
        this.document = document;
    }

    public static Markdown read(Path file) {
        try {
            return new Markdown(file, PARSER.parse(Files.readString(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path file() {
        return file;
    }

    /** The texts of the headings of this level ({@code ##} is 2), in order. */
    public List<String> headings(int level) {
        List<String> texts = new ArrayList<>();
        for (Node node = document.getFirstChild(); node != null; node = node.getNext()) {
            if (node instanceof Heading heading && heading.getLevel() == level) {
                texts.add(plainText(heading));
            }
        }
        return texts;
    }

    /**
     * The anchors GitHub gives the headings: the text in lower case, punctuation dropped, spaces to
     * hyphens; a repeated one gets {@code -1}, {@code -2}, ...
     */
    public Set<String> anchors() {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Node node = document.getFirstChild(); node != null; node = node.getNext()) {
            if (node instanceof Heading heading) {
                String anchor = plainText(heading).strip().toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{M}\\p{N} _-]", "").replace(' ', '-');
                int repeats = seen.merge(anchor, 1, Integer::sum) - 1;
                anchors.add(repeats == 0 ? anchor : anchor + "-" + repeats);
            }
        }
        return anchors;
    }

    /** The destination of every link and image, as written. */
    public List<String> linkDestinations() {
        List<String> destinations = new ArrayList<>();
        document.accept(new AbstractVisitor() {
            @Override
            public void visit(Link link) {
                destinations.add(link.getDestination());
                visitChildren(link);
            }

            @Override
            public void visit(Image image) {
                destinations.add(image.getDestination());
                visitChildren(image);
            }
        });
        return destinations;
    }

    /** The code blocks fenced with {@code info} (e.g. {@code sh}) in the section under the heading {@code heading}. */
    public List<String> codeBlocks(String heading, String info) {
        List<String> blocks = new ArrayList<>();
        for (Node node : section(heading)) {
            if (node instanceof FencedCodeBlock block && block.getInfo().strip().equals(info)) {
                blocks.add(block.getLiteral());
            }
        }
        return blocks;
    }

    /** The body rows of every table in the section under {@code heading}, each as its cells' plain text. */
    public List<List<String>> tableRows(String heading) {
        List<List<String>> rows = new ArrayList<>();
        for (Node node : section(heading)) {
            if (node instanceof TableBlock table) {
                for (Node part = table.getFirstChild(); part != null; part = part.getNext()) {
                    if (part instanceof TableBody body) {
                        for (Node row = body.getFirstChild(); row != null; row = row.getNext()) {
                            List<String> cells = new ArrayList<>();
                            for (Node cell = row.getFirstChild(); cell != null; cell = cell.getNext()) {
                                cells.add(plainText(cell).strip());
                            }
                            rows.add(cells);
                        }
                    }
                }
            }
        }
        return rows;
    }

    /** The nodes under the heading whose text is {@code heading}, up to the next heading of its level or above. */
    private List<Node> section(String heading) {
        List<Node> nodes = new ArrayList<>();
        int level = 0;
        for (Node node = document.getFirstChild(); node != null; node = node.getNext()) {
            if (node instanceof Heading h) {
                if (level > 0 && h.getLevel() <= level) {
                    break;
                }
                if (level == 0 && plainText(h).strip().equals(heading)) {
                    level = h.getLevel();
                    continue;
                }
            }
            if (level > 0) {
                nodes.add(node);
            }
        }
        if (level == 0) {
            throw new AssertionError(file + " has no heading \"" + heading + "\"");
        }
        return nodes;
    }

    /** What a reader sees of a node's text: its words and code spans, without the markup. */
    private static String plainText(Node node) {
        StringBuilder text = new StringBuilder();
        node.accept(new AbstractVisitor() {
            @Override
            public void visit(Text t) {
                text.append(t.getLiteral());
            }

            @Override
            public void visit(Code code) {
                text.append(code.getLiteral());
            }
        });
        return text.toString();
    }
}
