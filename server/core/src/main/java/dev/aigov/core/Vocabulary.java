package dev.aigov.core;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The words of the code-owned vocabulary (lower_snake names, as stored in the database and shown in
 * logs and metric labels) and the shape every id must have.
 */
public final class Vocabulary {
    /** Ids (workspace, tenant, actor, use case keys, ...) are 1 to 128 of these characters. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /** Each vocabulary enum's words by ordinal, computed once (the hot path writes them into every audit row). */
    private static final ClassValue<String[]> WORDS = new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
            Object[] constants = type.getEnumConstants();
            String[] words = new String[constants.length];
            for (int i = 0; i < constants.length; i++) {
                words[i] = ((Enum<?>) constants[i]).name().toLowerCase(Locale.ROOT);
            }
            return words;
        }
    };

    private Vocabulary() {
    }

    public static String word(Enum<?> value) {
        return WORDS.get(value.getDeclaringClass())[value.ordinal()];
    }

    /** Reads a stored word back; an unknown word is a bug in the data, not caller input. */
    public static <E extends Enum<E>> E fromWord(Class<E> type, String word) {
        return Enum.valueOf(type, word.toUpperCase(Locale.ROOT));
    }

    /** Returns {@code value} if it is a well-formed id, else throws {@link InvalidRequest} naming {@code field}. */
    public static String requireId(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidRequest(field, "is required");
        }
        if (!ID.matcher(value).matches()) {
            throw new InvalidRequest(field, value.length() > 128
                    ? "is " + value.length() + " characters long; at most 128 are allowed"
                    : "may contain only letters, digits and . _ : - (got '" + value + "')");
        }
        return value;
    }

    /** The most characters a free-text reason may have. */
    public static final int MAX_REASON_LENGTH = 1024;

    /**
     * A free-text reason for the audit trail, stripped of surrounding blanks; empty when absent.
     * The only free text aigov accepts: bounded, and storable (PostgreSQL text cannot hold U+0000).
     */
    public static String reason(String value) {
        String reason = value == null ? "" : value.strip();
        if (reason.length() > MAX_REASON_LENGTH) {
            throw new InvalidRequest("reason", "is " + reason.length() + " characters long; at most " + MAX_REASON_LENGTH + " are allowed");
        }
        if (reason.indexOf('\0') >= 0) {
            throw new InvalidRequest("reason", "must not contain the NUL character (U+0000)");
        }
        return reason;
    }

    /** The most characters of a recorded client version. */
    public static final int MAX_CLIENT_VERSION_LENGTH = 64;

    /** What is recorded for a client version that is not one: the header is the caller's, so it is never trusted. */
    public static final String INVALID_CLIENT_VERSION = "invalid";

    private static final Pattern CLIENT_VERSION = Pattern.compile("[A-Za-z0-9._+-]{1," + MAX_CLIENT_VERSION_LENGTH + "}");

    /**
     * A client's announced version as recorded: empty when absent, {@value #INVALID_CLIENT_VERSION}
     * when it is not 1 to 64 of {@code [A-Za-z0-9._+-]} (a hostile header can neither bloat nor break
     * an audit row, nor fail a decision: it is metadata, not input to the rules).
     */
    public static String clientVersion(String announced) {
        if (announced == null || announced.isBlank()) {
            return "";
        }
        String version = announced.strip();
        return CLIENT_VERSION.matcher(version).matches() ? version : INVALID_CLIENT_VERSION;
    }

    /** Like {@link #requireId} for an optional id: empty means absent. */
    public static String optionalId(String field, String value) {
        return value == null || value.isEmpty() ? "" : requireId(field, value);
    }
}
