package io.podswitch.daemon.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Typed access to the members of one JSON object whose shape varies (the control API's views, as the
 * CLI reads them). An absent member and JSON {@code null} both mean "not given"; a member of the wrong
 * kind is a {@link JsonCodec.Shape} naming its path ({@code watches[2].items}), never a silent default.
 */
public record NodeReader(JsonNode object, String path) {
    /** @throws JsonCodec.Shape when {@code object} is not an object */
    public NodeReader {
        if (!object.isObject()) {
            throw shape(path, "expected object, got " + kind(object));
        }
    }

    /** @throws JsonCodec.Shape when {@code node} is not an object */
    public static NodeReader of(JsonNode node, String path) {
        return new NodeReader(node, path);
    }

    public boolean has(String name) {
        return given(name) != null;
    }

    /** The member names, in document order. */
    public List<String> names() {
        return List.copyOf(object.propertyNames());
    }

    public String requiredString(String name) {
        String s = optionalString(name);
        if (s == null) {
            throw shape(child(name), "required string is missing");
        }
        return s;
    }

    public String optionalString(String name) {
        return text(given(name), child(name));
    }

    public long optionalLong(String name, long min, long max, long absent) {
        JsonNode v = given(name);
        if (v == null) {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw shape(child(name), "expected an integer, got " + (v.isNumber() ? v.toString() : kind(v)));
        }
        long value = v.longValue();
        if (value < min || value > max) {
            throw shape(child(name), value + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }

    public boolean optionalBoolean(String name, boolean absent) {
        JsonNode v = given(name);
        if (v != null && !v.isBoolean()) {
            throw shape(child(name), "expected boolean, got " + kind(v));
        }
        return v == null ? absent : v.booleanValue();
    }

    /** The nested object, or null when not given. */
    public NodeReader optionalObject(String name) {
        JsonNode v = given(name);
        return v == null ? null : of(v, child(name));
    }

    /** The elements of an array member, empty when not given. */
    public List<JsonNode> optionalArray(String name) {
        JsonNode v = given(name);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw shape(child(name), "expected array, got " + kind(v));
        }
        List<JsonNode> out = new ArrayList<>(v.size());
        v.forEach(out::add);
        return out;
    }

    public List<String> optionalStringList(String name) {
        List<String> out = new ArrayList<>();
        List<JsonNode> elements = optionalArray(name);
        for (int i = 0; i < elements.size(); i++) {
            String s = text(elements.get(i), child(name) + "[" + i + "]");
            if (s == null) {
                throw shape(child(name) + "[" + i + "]", "expected string, got null");
            }
            out.add(s);
        }
        return out;
    }

    public List<NodeReader> optionalObjectList(String name) {
        List<NodeReader> out = new ArrayList<>();
        List<JsonNode> elements = optionalArray(name);
        for (int i = 0; i < elements.size(); i++) {
            out.add(of(elements.get(i), child(name) + "[" + i + "]"));
        }
        return out;
    }

    /** Every member that is an integer, in document order (counter maps); other members are skipped. */
    public Map<String, Long> integers() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (e.getValue().isIntegralNumber() && e.getValue().canConvertToLong()) {
                out.put(e.getKey(), e.getValue().longValue());
            }
        }
        return out;
    }

    private JsonNode given(String name) {
        JsonNode v = object.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static String text(JsonNode v, String at) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw shape(at, "expected string, got " + kind(v));
        }
        return v.stringValue();
    }

    private String child(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String kind(JsonNode v) {
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static JsonCodec.Shape shape(String path, String problem) {
        return new JsonCodec.Shape((path.isEmpty() ? "" : "\"" + path + "\": ") + problem);
    }
}
