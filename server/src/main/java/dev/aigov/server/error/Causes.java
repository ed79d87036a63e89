package dev.aigov.server.error;

/** What a failure's chain of causes says, for a one-line message. */
public final class Causes {
    private Causes() {
    }

    /**
     * The message of the innermost cause of {@code failure} (itself when it has none): the one a
     * driver or a library wrapped, which says what actually went wrong ("Connection refused").
     */
    public static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
