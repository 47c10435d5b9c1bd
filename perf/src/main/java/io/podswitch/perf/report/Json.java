package io.podswitch.perf.report;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * report.json's format on Jackson (the rest of perf reads JSON with the daemon's {@code JsonCodec}):
 * values are plain Java trees — {@code Map<String,Object>} (insertion-ordered), {@code List<Object>},
 * {@code String}, {@code Double} for every number, {@code Boolean} and {@code null} — because the
 * report code builds and walks them generically. The writer keeps map order and writes integral
 * numbers without a fraction and non-finite ones as {@code null}, so the same report always
 * serialises to the same bytes (bench compare reads reports of earlier builds).
 */
final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    /** Objects indented by two spaces, {@code "key": value}; arrays on one line ({@code [ 1, 2 ]}: sample series stay short). */
    private static final ObjectWriter PRETTY = MAPPER.writer().with(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectNameValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n")));

    private Json() {
    }

    /**
     * Parses one JSON document; trailing text is an error.
     * @throws IllegalArgumentException naming what is wrong and the character offset
     */
    static Object parse(String text) {
        try {
            return toJava(MAPPER.readTree(text));
        } catch (JacksonException e) {
            long offset = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            throw new IllegalArgumentException("JSON: " + e.getOriginalMessage() + " at offset " + offset, e);
        }
    }

    /** Pretty-prints a value tree made of the types listed in the class comment (plus other numbers). */
    static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = PRETTY.createGenerator(out)) {
            write(value, g);
        }
        return out.append('\n').toString();
    }

    private static Object toJava(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            throw new IllegalArgumentException("JSON: empty document at offset 0");
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                map.put(e.getKey(), toJava(e.getValue()));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node.values()) {
                list.add(toJava(element));
            }
            return list;
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNull()) {
            return null;
        }
        return node.stringValue();
    }

    private static void write(Object value, JsonGenerator g) {
        switch (value) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Double d -> number(d, g);
            case Float f -> number(f.doubleValue(), g);
            case Number n -> g.writeNumber(n.longValue());
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    g.writeName(String.valueOf(e.getKey()));
                    write(e.getValue(), g);
                }
                g.writeEndObject();
            }
            case List<?> list -> {
                g.writeStartArray();
                for (Object element : list) {
                    write(element, g);
                }
                g.writeEndArray();
            }
            case double[] array -> {
                g.writeStartArray();
                for (double d : array) {
                    number(d, g);
                }
                g.writeEndArray();
            }
            default -> throw new IllegalArgumentException("cannot write " + value.getClass() + " as JSON");
        }
    }

    private static void number(double d, JsonGenerator g) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            g.writeNull(); // JSON has no NaN/Infinity; a missing value reads back as null
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            g.writeNumber((long) d);
        } else {
            g.writeNumber(d);
        }
    }
}
