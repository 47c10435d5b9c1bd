package io.podswitch.api.json;

import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonBoolean;
import io.podswitch.api.json.JsonValue.JsonNumber;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link JsonObject} in insertion order; the {@code putIf…} forms skip "not given" values. */
public final class ObjectBuilder {
    private final Map<String, JsonValue> members = new LinkedHashMap<>();

    public ObjectBuilder put(String name, JsonValue value) {
        members.put(name, value);
        return this;
    }

    public ObjectBuilder put(String name, String value) {
        return put(name, new JsonString(value));
    }

    public ObjectBuilder put(String name, long value) {
        return put(name, JsonNumber.of(value));
    }

    public ObjectBuilder put(String name, boolean value) {
        return put(name, JsonBoolean.of(value));
    }

    public ObjectBuilder putIfNotNull(String name, String value) {
        return value == null ? this : put(name, value);
    }

    public ObjectBuilder putIfNotNull(String name, JsonValue value) {
        return value == null ? this : put(name, value);
    }

    /** Puts a non-negative number; negative means "not given" (unsigned CNI fields). */
    public ObjectBuilder putIfNonNegative(String name, long value) {
        return value < 0 ? this : put(name, value);
    }

    public ObjectBuilder putIfNotEmpty(String name, List<String> strings) {
        return strings == null || strings.isEmpty() ? this : put(name, strings(strings));
    }

    public JsonObject build() {
        return new JsonObject(members);
    }

    public static JsonArray strings(List<String> strings) {
        List<JsonValue> out = new ArrayList<>(strings.size());
        for (String s : strings) {
            out.add(new JsonString(s));
        }
        return new JsonArray(out);
    }
}
