package io.podswitch.api.json;

import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonBoolean;
import io.podswitch.api.json.JsonValue.JsonNull;
import io.podswitch.api.json.JsonValue.JsonNumber;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed, path-aware access to the members of one JSON object. Absent members and JSON {@code null}
 * both read as "not given" (Go runtimes write null for empty slices); a member of the wrong kind or
 * out of range is a {@link JsonShapeException} that names its path.
 */
public final class ObjectReader {
    private final JsonObject object;
    private final String path;

    public ObjectReader(JsonObject object, String path) {
        this.object = object;
        this.path = path;
    }

    public static ObjectReader of(JsonValue value, String path) {
        if (value instanceof JsonObject o) {
            return new ObjectReader(o, path);
        }
        throw new JsonShapeException(path, "expected object, got " + value.kindName());
    }

    public JsonObject object() {
        return object;
    }

    public String path() {
        return path;
    }

    public boolean has(String name) {
        JsonValue v = object.get(name);
        return v != null && !(v instanceof JsonNull);
    }

    /** The raw member, or null when absent or JSON null. */
    public JsonValue raw(String name) {
        JsonValue v = object.get(name);
        return v instanceof JsonNull ? null : v;
    }

    public String requiredString(String name) {
        String s = optionalString(name);
        if (s == null) {
            throw new JsonShapeException(child(name), "required string is missing");
        }
        return s;
    }

    public String requiredNonEmptyString(String name) {
        String s = requiredString(name);
        if (s.isEmpty()) {
            throw new JsonShapeException(child(name), "must not be empty");
        }
        return s;
    }

    public String optionalString(String name) {
        JsonValue v = raw(name);
        if (v == null) {
            return null;
        }
        if (v instanceof JsonString s) {
            return s.value();
        }
        throw new JsonShapeException(child(name), "expected string, got " + v.kindName());
    }

    public long optionalLong(String name, long min, long max, long absent) {
        JsonValue v = raw(name);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof JsonNumber n) || !n.isLong()) {
            throw new JsonShapeException(child(name), "expected an integer, got "
                    + (v instanceof JsonNumber n2 ? n2.text() : v.kindName()));
        }
        long value = n.asLong();
        if (value < min || value > max) {
            throw new JsonShapeException(child(name), value + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }

    public boolean optionalBoolean(String name, boolean absent) {
        JsonValue v = raw(name);
        if (v == null) {
            return absent;
        }
        if (v instanceof JsonBoolean b) {
            return b.value();
        }
        throw new JsonShapeException(child(name), "expected boolean, got " + v.kindName());
    }

    /** The nested object, or null when absent. */
    public ObjectReader optionalObject(String name) {
        JsonValue v = raw(name);
        return v == null ? null : of(v, child(name));
    }

    /** The array's elements, or an empty list when absent. */
    public List<JsonValue> optionalArray(String name) {
        JsonValue v = raw(name);
        if (v == null) {
            return List.of();
        }
        if (v instanceof JsonArray a) {
            return a.elements();
        }
        throw new JsonShapeException(child(name), "expected array, got " + v.kindName());
    }

    public List<String> optionalStringList(String name) {
        List<JsonValue> elements = optionalArray(name);
        List<String> out = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            if (!(elements.get(i) instanceof JsonString s)) {
                throw new JsonShapeException(child(name) + "[" + i + "]",
                        "expected string, got " + elements.get(i).kindName());
            }
            out.add(s.value());
        }
        return List.copyOf(out);
    }

    public List<ObjectReader> optionalObjectList(String name) {
        List<JsonValue> elements = optionalArray(name);
        List<ObjectReader> out = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            out.add(of(elements.get(i), child(name) + "[" + i + "]"));
        }
        return out;
    }

    public String child(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
