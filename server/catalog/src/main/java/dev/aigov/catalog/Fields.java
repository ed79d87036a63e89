package dev.aigov.catalog;

import dev.aigov.catalog.LocatedJson.Arr;
import dev.aigov.catalog.LocatedJson.Member;
import dev.aigov.catalog.LocatedJson.Obj;
import dev.aigov.catalog.LocatedJson.Scalar;
import dev.aigov.catalog.LocatedJson.Value;
import dev.aigov.core.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The members of one JSON object, read by name: each problem (an unknown member, a missing or
 * mistyped one, a word outside the vocabulary) is reported at its line, naming {@code what} the
 * object is ("use case 'x'") and the field. A getter answers empty when the member is absent or wrong.
 */
final class Fields {
    private final Problems problems;
    private final Obj object;
    private final String what;

    /** Reports every member not in {@code known} (the fields an object of this kind has, in the order documented). */
    Fields(Problems problems, Obj object, String what, List<String> known) {
        this.problems = problems;
        this.object = object;
        this.what = what;
        for (Member member : object.members().values()) {
            if (!known.contains(member.name())) {
                problems.add(member.line(), what + ": unknown field '" + member.name() + "' (the fields are: "
                        + String.join(", ", known) + ")");
            }
        }
    }

    /** An object, or a problem at its line saying it is not one; empty when it is not. */
    static Optional<Obj> asObject(Problems problems, Value value, String what) {
        if (value instanceof Obj obj) {
            return Optional.of(obj);
        }
        problems.add(value.line(), what + " must be a JSON object, not " + LocatedJson.kind(value));
        return Optional.empty();
    }

    /** The line of the object itself. */
    int line() {
        return object.line();
    }

    /** The line of member {@code name}, else the object's. */
    int line(String name) {
        Member member = object.members().get(name);
        return member == null ? object.line() : member.line();
    }

    boolean has(String name) {
        return object.members().containsKey(name);
    }

    private Optional<Value> member(String name, boolean required) {
        Member member = object.members().get(name);
        if (member == null) {
            if (required) {
                problems.add(object.line(), what + ": " + name + " is required");
            }
            return Optional.empty();
        }
        return Optional.of(member.value());
    }

    private void wrongKind(String name, Value value, String expected) {
        problems.add(value.line(), what + ": " + name + " must be " + expected + ", not " + LocatedJson.kind(value));
    }

    Optional<String> string(String name, boolean required) {
        return member(name, required).flatMap(value -> {
            if (value instanceof Scalar scalar && scalar.isString()) {
                return Optional.of(scalar.text());
            }
            wrongKind(name, value, "a string");
            return Optional.empty();
        });
    }

    /** A string that is an id ({@code [A-Za-z0-9._:-]{1,128}}, the shape a request's ids have). */
    Optional<String> id(String name, boolean required, String why) {
        return string(name, required).filter(value -> {
            if (Vocabulary.ID.matcher(value).matches()) {
                return true;
            }
            problems.add(line(name), what + ": " + name + " '" + value + "' is not an id (1 to 128 letters, digits and . _ : -), "
                    + why);
            return false;
        });
    }

    Optional<Boolean> bool(String name, boolean required) {
        return member(name, required).flatMap(value -> {
            if (value instanceof Scalar scalar && scalar.isBoolean()) {
                return Optional.of(Boolean.parseBoolean(scalar.text()));
            }
            wrongKind(name, value, "true or false");
            return Optional.empty();
        });
    }

    Optional<Obj> object(String name, boolean required) {
        return member(name, required).flatMap(value -> {
            if (value instanceof Obj obj) {
                return Optional.of(obj);
            }
            wrongKind(name, value, "a JSON object");
            return Optional.empty();
        });
    }

    Optional<List<Value>> array(String name, boolean required) {
        return member(name, required).flatMap(value -> {
            if (value instanceof Arr arr) {
                return Optional.of(arr.items());
            }
            wrongKind(name, value, "an array");
            return Optional.empty();
        });
    }

    /** One word of a vocabulary enum, written as the core writes it (lower_snake: {@code local_private}). */
    <E extends Enum<E>> Optional<E> word(String name, boolean required, Class<E> type, String kind) {
        return member(name, required).flatMap(value -> word(value, name, type, kind));
    }

    /**
     * An array of words of a vocabulary enum, none repeated; {@code nonEmpty}: an empty one is a
     * problem ({@code whyNotEmpty} says why). Empty when absent or when any item is wrong.
     */
    <E extends Enum<E>> Optional<Set<E>> words(String name, boolean required, Class<E> type, String kind, boolean nonEmpty,
            String whyNotEmpty) {
        Optional<List<Value>> items = array(name, required);
        if (items.isEmpty()) {
            return Optional.empty();
        }
        if (items.get().isEmpty() && nonEmpty) {
            problems.add(line(name), what + ": " + name + " is empty, " + whyNotEmpty);
            return Optional.empty();
        }
        Set<E> words = EnumSet.noneOf(type);
        boolean allRead = true;
        for (Value item : items.get()) {
            Optional<E> word = word(item, name, type, kind);
            if (word.isEmpty()) {
                allRead = false;
            } else if (!words.add(word.get())) {
                problems.add(item.line(), what + ": " + name + " lists " + Vocabulary.word(word.get()) + " twice");
                allRead = false;
            }
        }
        return allRead ? Optional.of(words) : Optional.empty();
    }

    private <E extends Enum<E>> Optional<E> word(Value value, String name, Class<E> type, String kind) {
        if (!(value instanceof Scalar scalar && scalar.isString())) {
            wrongKind(name, value, "a " + kind + " (a string)");
            return Optional.empty();
        }
        Optional<E> word = Arrays.stream(type.getEnumConstants()).filter(c -> Vocabulary.word(c).equals(scalar.text())).findFirst();
        if (word.isEmpty()) {
            problems.add(value.line(), what + ": unknown " + kind + " '" + scalar.text() + "' in " + name + " (one of: "
                    + wordsOf(type) + ")");
        }
        return word;
    }

    /** Every word of a vocabulary enum, in declaration order, comma-separated. */
    static String wordsOf(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(Vocabulary::word).collect(Collectors.joining(", "));
    }

    /** The items of an array that are objects; a problem for each that is not. */
    List<Obj> objects(List<Value> items, String itemWhat) {
        List<Obj> objects = new ArrayList<>();
        for (Value item : items) {
            asObject(problems, item, itemWhat).ifPresent(objects::add);
        }
        return objects;
    }
}
