package dev.aigov.catalog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON document with the line of every value and member: what the catalog and its test files report
 * their problems at. Read with Jackson's streaming parser; a repeated member name is malformed.
 */
final class LocatedJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private LocatedJson() {
    }

    /** A JSON value and the line it starts on. */
    sealed interface Value permits Obj, Arr, Scalar {
        int line();
    }

    /** One member of an object: its name, the line the name is on, its value. */
    record Member(String name, int line, Value value) {
    }

    /** An object; its members in the order written. */
    record Obj(int line, Map<String, Member> members) implements Value {
    }

    record Arr(int line, List<Value> items) implements Value {
    }

    /** A string, number, boolean or null: its token and its text as written (a string's without quotes). */
    record Scalar(int line, JsonToken token, String text) implements Value {
        boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }

        boolean isBoolean() {
            return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
        }
    }

    /** The document's one value, or its first syntax problem, at its line, in {@code problems}. */
    static Value read(String text, Problems problems) {
        JsonParser parser;
        try {
            // A byte-order mark some editors write is not JSON, but not a problem of the file either.
            parser = FACTORY.createParser(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (parser) {
            if (parser.nextToken() == null) {
                problems.add(1, "is empty: a JSON object is expected");
                return null;
            }
            Value value = value(parser);
            if (parser.nextToken() != null) {
                problems.add(line(parser.currentTokenLocation()), "has more after its JSON object");
                return null;
            }
            return value;
        } catch (JsonProcessingException malformed) {
            // A syntax error, or past one of Jackson's limits (nesting, a string's length), which has no location of its own.
            JsonLocation at = malformed.getLocation() != null ? malformed.getLocation() : parser.currentLocation();
            String message = malformed.getOriginalMessage();
            problems.add(line(at), "is not valid JSON: " + message.lines().findFirst().orElse(message));
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Value value(JsonParser parser) throws IOException {
        int line = line(parser.currentTokenLocation());
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, Member> members = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int nameLine = line(parser.currentTokenLocation());
                parser.nextToken();
                members.put(name, new Member(name, nameLine, value(parser)));
            }
            return new Obj(line, Collections.unmodifiableMap(members));
        }
        if (token == JsonToken.START_ARRAY) {
            List<Value> items = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                items.add(value(parser));
            }
            return new Arr(line, List.copyOf(items));
        }
        return new Scalar(line, token, parser.getText());
    }

    private static int line(JsonLocation location) {
        return location == null ? 0 : Math.max(location.getLineNr(), 0);
    }

    /** What a value is, for a message: "a string", "an array"... */
    static String kind(Value value) {
        return switch (value) {
            case Obj o -> "an object";
            case Arr a -> "an array";
            case Scalar s when s.isString() -> "a string";
            case Scalar s when s.isBoolean() -> "a boolean";
            case Scalar s when s.token() == JsonToken.VALUE_NULL -> "null";
            case Scalar s -> "a number";
        };
    }
}
