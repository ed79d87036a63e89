package dev.aigov.catalog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The problems found in one file so far; reading goes on past one, so that a check reports them all. */
final class Problems {
    private final String file;
    private final List<Problem> found = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    void add(int line, String message) {
        found.add(new Problem(file, line, message));
    }

    boolean any() {
        return !found.isEmpty();
    }

    /** Throws {@link InvalidFile} with every problem, in line order, if there is one. */
    void throwIfAny() {
        if (any()) {
            throw new InvalidFile(found.stream().sorted(Comparator.comparingInt(Problem::line)).toList());
        }
    }
}
