package io.podswitch.api.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed JSON value. The six JSON kinds are records, so values compare by content (object member
 * order does not matter for equality, as in JSON itself) and can be matched with {@code switch}.
 */
public sealed interface JsonValue {

    /** The JSON kind's name, for error messages ("expected string, got number"). */
    String kindName();

    /** An object; member order is kept for output, duplicate names never occur (the parser rejects them). */
    record JsonObject(Map<String, JsonValue> members) implements JsonValue {
        public JsonObject {
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        public JsonValue get(String name) {
            return members.get(name);
        }

        public boolean has(String name) {
            return members.containsKey(name);
        }

        @Override
        public String kindName() {
            return "object";
        }
    }

    record JsonArray(List<JsonValue> elements) implements JsonValue {
        public JsonArray {
            elements = List.copyOf(elements);
        }

        @Override
        public String kindName() {
            return "array";
        }
    }

    record JsonString(String value) implements JsonValue {
        public JsonString {
            if (value == null) {
                throw new IllegalArgumentException("JsonString value must not be null");
            }
        }

        @Override
        public String kindName() {
            return "string";
        }
    }

    /**
     * A number kept as its literal text, so that nothing is lost between parse and write (64-bit ids,
     * decimals); {@link #asLong()} and {@link #asDouble()} convert on demand.
     */
    record JsonNumber(String text) implements JsonValue {
        public JsonNumber {
            if (!JsonNumberSyntax.isValid(text)) {
                throw new IllegalArgumentException("not a JSON number: " + text);
            }
        }

        public static JsonNumber of(long value) {
            return new JsonNumber(Long.toString(value));
        }

        /** True when the literal is an integer (no fraction, no exponent) that fits a long. */
        public boolean isLong() {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '.' || c == 'e' || c == 'E') {
                    return false;
                }
            }
            try {
                Long.parseLong(text);
                return true;
            } catch (NumberFormatException overflow) {
                return false;
            }
        }

        public long asLong() {
            return Long.parseLong(text);
        }

        public double asDouble() {
            return Double.parseDouble(text);
        }

        @Override
        public String kindName() {
            return "number";
        }
    }

    record JsonBoolean(boolean value) implements JsonValue {
        public static final JsonBoolean TRUE = new JsonBoolean(true);
        public static final JsonBoolean FALSE = new JsonBoolean(false);

        public static JsonBoolean of(boolean value) {
            return value ? TRUE : FALSE;
        }

        @Override
        public String kindName() {
            return "boolean";
        }
    }

    record JsonNull() implements JsonValue {
        public static final JsonNull INSTANCE = new JsonNull();

        @Override
        public String kindName() {
            return "null";
        }
    }
}
