package io.podswitch.daemon.json;

import java.util.Collection;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;

/**
 * The daemon's and the CLI's JSON, on Jackson: one mapper, configured once, shared by every thread
 * (thread-safe once built). DTO records map the fixed shapes (the CNI protocol, pods.json); trees
 * ({@link JsonNode}) the views whose members vary.
 *
 * <p>Reading is as strict as the hand-written reader it replaced: a string is never read as a number
 * (nor a number as a string), a fraction is never truncated to an integer, trailing text after the
 * document is an error. Unknown members are ignored (newer writers, older readers). Two failures
 * stay apart, because the control API answers them with different codes: {@link Malformed} (not
 * JSON at all) and {@link Shape} (JSON, but not the expected shape; the message names the member).
 */
public final class JsonCodec {
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // ALLOW_COERCION_OF_SCALARS does not cover numbers and booleans read as strings: refuse them too.
            .withCoercionConfig(LogicalType.Textual, config -> config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private JsonCodec() {
    }

    /** Not JSON (syntax error, truncated, trailing text). */
    public static final class Malformed extends IllegalArgumentException {
        Malformed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Well-formed JSON of the wrong shape; the message starts with the member's path when known. */
    public static final class Shape extends IllegalArgumentException {
        public Shape(String message) {
            super(message);
        }

        Shape(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Parses one document into a tree. @throws Malformed when it is not one JSON document */
    public static JsonNode tree(byte[] json) {
        try {
            JsonNode tree = MAPPER.readTree(json);
            if (tree == null || tree.isMissingNode()) {
                throw new Malformed("no JSON document (empty input)", null);
            }
            return tree;
        } catch (JacksonException e) {
            // A tree has no expected shape: whatever fails here (trailing tokens too) is malformed JSON.
            throw new Malformed(e.getOriginalMessage() + location(e), e);
        }
    }

    /** Parses one document (text) into a tree. @throws Malformed when it is not one JSON document */
    public static JsonNode tree(String json) {
        return tree(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Parses one document into {@code type} (a DTO record). */
    public static <T> T read(byte[] json, Class<T> type) {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new Shape("expected an object, got null");
            }
            return value;
        } catch (JacksonException e) {
            throw failure(e);
        }
    }

    /** Parses one document into {@code type} (a DTO record). */
    public static <T> T read(String json, Class<T> type) {
        return read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), type);
    }

    /** Converts an already parsed tree into {@code type}. */
    public static <T> T convert(JsonNode tree, Class<T> type) {
        try {
            T value = MAPPER.treeToValue(tree, type);
            if (value == null) {
                throw new Shape("expected an object, got " + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
            }
            return value;
        } catch (JacksonException e) {
            throw failure(e);
        }
    }

    /** A new empty object node (views build their answers as trees, in member order). */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** An array node of {@code items}. */
    public static ArrayNode array(Collection<? extends JsonNode> items) {
        ArrayNode array = MAPPER.createArrayNode();
        items.forEach(array::add);
        return array;
    }

    /** An array node of strings. */
    public static ArrayNode strings(Collection<String> items) {
        ArrayNode array = MAPPER.createArrayNode();
        items.forEach(array::add);
        return array;
    }

    /** Compact UTF-8 bytes of a tree or DTO. */
    public static byte[] bytes(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    /** Compact text of a tree or DTO. */
    public static String text(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** Indented text of a tree or DTO (files people read: pods.json). */
    public static String pretty(Object value) {
        return PRETTY.writeValueAsString(value);
    }

    /** A required, non-empty string member of a DTO. @throws Shape naming {@code path} */
    public static String required(String path, String value) {
        if (value == null) {
            throw new Shape("\"" + path + "\": required string is missing");
        }
        if (value.isEmpty()) {
            throw new Shape("\"" + path + "\": must not be empty");
        }
        return value;
    }

    /** An optional integer member of a DTO within {@code [min, max]}; {@code absent} when not given. */
    public static long range(String path, Long value, long min, long max, long absent) {
        if (value == null) {
            return absent;
        }
        if (value < min || value > max) {
            throw new Shape("\"" + path + "\": " + value + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }

    /** A list member, empty when not given (Go runtimes write null for empty slices). */
    public static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : value;
    }

    /** A list member whose elements must not be null; empty when not given. @throws Shape naming the element */
    public static <T> List<T> elements(String path, List<T> value) {
        List<T> list = list(value);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw new Shape("\"" + path + "[" + i + "]\": expected a value, got null");
            }
        }
        return list;
    }

    private static IllegalArgumentException failure(JacksonException e) {
        if (e instanceof StreamReadException) {
            return new Malformed(e.getOriginalMessage() + location(e), e);
        }
        String path = path(e.getPath());
        return new Shape((path.isEmpty() ? "" : "\"" + path + "\": ") + e.getOriginalMessage(), e);
    }

    /** The member's path as the old reader named it: {@code ips[1].address}. */
    private static String path(List<JacksonException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference r : references) {
            if (r.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr();
    }
}
