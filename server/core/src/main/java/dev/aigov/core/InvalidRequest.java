package dev.aigov.core;

/**
 * A request field is missing, malformed or out of range: the one error the core throws. {@code
 * field} is the field's path in the request (its proto path, as the contract names it).
 */
public final class InvalidRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidRequest(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** The field the problem is about. */
    public String field() {
        return field;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        // Bad input is an answer, not a bug: no stack trace to capture.
        return this;
    }
}
