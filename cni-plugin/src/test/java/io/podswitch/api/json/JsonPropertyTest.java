package io.podswitch.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonBoolean;
import io.podswitch.api.json.JsonValue.JsonNull;
import io.podswitch.api.json.JsonValue.JsonNumber;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import java.util.LinkedHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Round trips on random values; random and mutated input fails only with the parser's own exception. */
class JsonPropertyTest {

    @Property(tries = 300)
    void writeThenParseGivesTheSameValue(@ForAll("values") JsonValue value) {
        assertEquals(value, JsonParser.parse(JsonWriter.write(value)));
        assertEquals(value, JsonParser.parse(JsonWriter.writePretty(value)));
    }

    @Property(tries = 500)
    void arbitraryTextParsesOrFailsWithPosition(@ForAll("jsonish") String text) {
        assertParsesOrFailsCleanly(text);
    }

    @Property(tries = 500)
    void mutatedJsonParsesOrFailsWithPosition(@ForAll("values") JsonValue value, @ForAll @IntRange(min = 0, max = 10_000) int at,
            @ForAll("jsonChars") char replacement, @ForAll boolean delete) {
        String text = JsonWriter.write(value);
        int i = at % text.length();
        String mutated = delete ? text.substring(0, i) + text.substring(i + 1)
                : text.substring(0, i) + replacement + text.substring(i + 1);
        assertParsesOrFailsCleanly(mutated);
    }

    private static void assertParsesOrFailsCleanly(String text) {
        try {
            JsonValue v = JsonParser.parse(text);
            assertEquals(v, JsonParser.parse(JsonWriter.write(v)), "what parses also round-trips");
        } catch (JsonParseException e) {
            assertTrue(e.offset() >= 0 && e.offset() <= text.length(), e.getMessage());
            assertTrue(e.line() >= 1 && e.column() >= 1, e.getMessage());
        }
    }

    @Provide
    Arbitrary<JsonValue> values() {
        return valuesUpToDepth(4);
    }

    /** Bounded depth: an unbounded recursive generator with lists of up to 4 grows without limit. */
    private static Arbitrary<JsonValue> valuesUpToDepth(int depth) {
        if (depth == 0) {
            return leaf();
        }
        Arbitrary<JsonValue> inner = valuesUpToDepth(depth - 1);
        Arbitrary<JsonValue> array = inner.list().ofMaxSize(4).map(l -> (JsonValue) new JsonArray(l));
        Arbitrary<String> names = Arbitraries.strings().all().ofMaxLength(6).filter(JsonPropertyTest::noLoneSurrogate);
        Arbitrary<JsonValue> object = Arbitraries.maps(names, inner).ofMaxSize(4)
                .map(m -> (JsonValue) new JsonObject(new LinkedHashMap<>(m)));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf()), net.jqwik.api.Tuple.of(1, array),
                net.jqwik.api.Tuple.of(1, object));
    }

    private static Arbitrary<JsonValue> leaf() {
        Arbitrary<JsonValue> strings = Arbitraries.strings().all().ofMaxLength(12)
                .filter(JsonPropertyTest::noLoneSurrogate).map(JsonString::new);
        Arbitrary<JsonValue> longs = Arbitraries.longs().map(JsonNumber::of);
        Arbitrary<JsonValue> doubles = Arbitraries.doubles().filter(Double::isFinite)
                .map(d -> new JsonNumber(Double.toString(d)));
        Arbitrary<JsonValue> constants = Arbitraries.of(JsonBoolean.TRUE, JsonBoolean.FALSE, JsonNull.INSTANCE);
        return Arbitraries.oneOf(strings, longs, doubles, constants);
    }

    @Provide
    Arbitrary<String> jsonish() {
        return Arbitraries.strings().withChars("{}[]\":,.-+eE0123456789 tfnrulsa\\/\n\u0001\uD800é").ofMaxLength(40);
    }

    @Provide
    Arbitrary<Character> jsonChars() {
        return Arbitraries.chars().with('{', '}', '[', ']', '"', ':', ',', '\\', '0', '-', 'e', '.', ' ', 'x', '\u0000');
    }

    private static boolean noLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

}
