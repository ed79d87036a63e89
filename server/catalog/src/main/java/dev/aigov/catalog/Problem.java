package dev.aigov.catalog;

/**
 * One thing wrong with a catalog file or a catalog test file, at a line of it.
 *
 * @param file the file as named to the reader (its path, or the built-in resource's name)
 * @param line 1-based; 0 when the problem is the file as a whole (it cannot be read)
 * @param message what is wrong, naming the use case or case and the field
 */
public record Problem(String file, int line, String message) {

    /** {@code FILE line N: message}: the line an operator reads in a CI log or at a refused start. */
    @Override
    public String toString() {
        return file + (line > 0 ? " line " + line : "") + ": " + message;
    }
}
