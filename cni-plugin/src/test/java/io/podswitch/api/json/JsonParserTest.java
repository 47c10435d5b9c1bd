package io.podswitch.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonBoolean;
import io.podswitch.api.json.JsonValue.JsonNull;
import io.podswitch.api.json.JsonValue.JsonNumber;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonParserTest {

    @Test
    void parsesAllKinds() {
        JsonValue v = JsonParser.parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {}} \n");
        assertEquals(new JsonObject(Map.of(
                "a", new JsonArray(List.of(new JsonNumber("1"), new JsonNumber("-2.5e3"), JsonBoolean.TRUE,
                        JsonBoolean.FALSE, JsonNull.INSTANCE, new JsonString("x"))),
                "b", new JsonObject(Map.of()))), v);
    }

    @Test
    void decodesEscapesAndSurrogatePairs() {
        assertEquals(new JsonString("a\"b\\c/d\b\f\n\r\t\u00e9\uD83D\uDE00"),
                JsonParser.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00E9\\ud83d\\ude00\""));
        assertEquals(new JsonString("\uD83D\uDE00 raw"), JsonParser.parse("\"\uD83D\uDE00 raw\""));
    }

    @Test
    void numbersKeepTheirText() {
        JsonNumber big = (JsonNumber) JsonParser.parse("18446744073709551617");
        assertEquals("18446744073709551617", big.text());
        assertTrue(!big.isLong());
        assertTrue(((JsonNumber) JsonParser.parse("-9223372036854775808")).isLong());
        assertEquals(0.5, ((JsonNumber) JsonParser.parse("5E-1")).asDouble());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "``|1|1|end of input",
            "`{\"a\":1,}`|1|8|member name",
            "`[1,]`|1|4|expected a value",
            "`[01]`|1|3|malformed number",
            "`[1.]`|1|4|malformed number",
            "`[-]`|1|3|malformed number",
            "`[1e]`|1|4|malformed number",
            "`{\"a\" 1}`|1|6|':'",
            "`{\"a\":1 \"b\":2}`|1|8|',' or '}'",
            "`[tru]`|1|2|expected a value",
            "`[truex]`|1|6|after 'true'",
            "`\"abc`|1|5|unterminated string",
            "`\"\\x\"`|1|2|invalid escape",
            "`\"\\u12G4\"`|1|6|invalid hex digit",
            "`\"\\u12\"`|1|4|truncated \\u escape",
            "`\"\\ud800\"`|1|2|not followed by a low surrogate",
            "`\"\\udc00\"`|1|2|lone low surrogate",
            "`\"\\ud800\\u0041\"`|1|2|not followed by a low surrogate",
            "`{\"a\":1}x`|1|8|after the JSON value",
            "`{\"k\":1,\"k\":2}`|1|8|duplicate member name",
            "`{\n  \"a\": nul\n}`|2|8|expected a value",
            "`// comment`|1|1|expected a value",
            "`'single'`|1|1|expected a value",
            "`NaN`|1|1|expected a value",
    })
    void malformedInputNamesThePosition(String input, int line, int column, String problem) {
        JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse(input));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
    }

    @Test
    void controlCharactersInStringsAreRejected() {
        JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse("\"a\u0001b\""));
        assertTrue(e.getMessage().contains("U+0001"), e.getMessage());
        assertEquals(2, e.offset());
        assertThrows(JsonParseException.class, () -> JsonParser.parse("\"a\nb\""));
    }

    @Test
    void loneSurrogateCharactersAreRejected() {
        assertThrows(JsonParseException.class, () -> JsonParser.parse("\"\uD800\""));
        assertThrows(JsonParseException.class, () -> JsonParser.parse("\"\uDC00x\""));
    }

    @Test
    void depthIsBounded() {
        String deep = "[".repeat(65) + "]".repeat(65);
        JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than 64"), e.getMessage());
        assertEquals(64, e.offset());
        JsonParser.parse("[".repeat(64) + "]".repeat(64));
        String veryDeep = "{\"a\":".repeat(100_000);
        assertThrows(JsonParseException.class, () -> JsonParser.parse(veryDeep), "no StackOverflowError");
    }

    @Test
    void sizeIsBounded() {
        String big = "\"" + "x".repeat(2000) + "\"";
        JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse(big, 1000, 64));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void invalidUtf8IsRejectedNotReplaced() {
        byte[] bytes = {'"', 'a', (byte) 0xC3, '"'};
        JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parse(bytes));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        assertEquals(2, e.offset());
        assertEquals(3, e.column());
        byte[] second = {'[', '\n', ' ', (byte) 0xFF, ']'};
        JsonParseException e2 = assertThrows(JsonParseException.class, () -> JsonParser.parse(second));
        assertEquals(2, e2.line());
        assertEquals(2, e2.column());
        assertEquals(new JsonString("é"), JsonParser.parse("\"é\"".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void writerEscapesWhatItMust() {
        JsonString s = new JsonString("q\"b\\n\n\u0000\u001f\u2028é");
        String text = JsonWriter.write(s);
        assertEquals("\"q\\\"b\\\\n\\n\\u0000\\u001f\\u2028é\"", text);
        assertEquals(s, JsonParser.parse(text));
    }

    @Test
    void prettyOutputParsesBack() {
        JsonValue v = JsonParser.parse("{\"a\":[1,{\"b\":[]}],\"c\":{}}");
        String pretty = JsonWriter.writePretty(v);
        assertTrue(pretty.contains("\n    \"a\": ["), pretty);
        assertEquals(v, JsonParser.parse(pretty));
    }

    @Test
    void objectReaderNamesPaths() {
        ObjectReader r = new ObjectReader(JsonParser.parseObject("{\"ips\":[{\"address\":4}],\"n\":70000}"), "");
        JsonShapeException e = assertThrows(JsonShapeException.class,
                () -> r.optionalObjectList("ips").get(0).requiredString("address"));
        assertEquals("\"ips[0].address\": expected string, got number", e.getMessage());
        e = assertThrows(JsonShapeException.class, () -> r.optionalLong("n", 0, 65535, 0));
        assertEquals("\"n\": 70000 is out of range [0, 65535]", e.getMessage());
    }
}
