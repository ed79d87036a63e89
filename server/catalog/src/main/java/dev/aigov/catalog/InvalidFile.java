package dev.aigov.catalog;

import java.util.List;

/**
 * A catalog file or a catalog test file that is not valid: every problem found, each naming the file
 * and its line. The message is one line, the first problem (and how many more there are), which is
 * what a refused start prints; {@code catalog check} prints them all.
 */
public final class InvalidFile extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    InvalidFile(List<Problem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in the order of the file. */
    public List<Problem> problems() {
        return problems;
    }

    private static String message(List<Problem> problems) {
        String first = problems.getFirst().toString();
        int more = problems.size() - 1;
        return more == 0 ? first : first + " (and " + more + " more problem" + (more == 1 ? "" : "s") + "; catalog check lists them all)";
    }
}
