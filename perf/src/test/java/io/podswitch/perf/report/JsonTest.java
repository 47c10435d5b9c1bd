package io.podswitch.perf.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void roundTripKeepsValuesAndKeyOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", "quote \" backslash \\ newline \n tab \t µ");
        m.put("a", 1.5);
        m.put("n", null);
        m.put("t", true);
        m.put("list", List.of(1.0, 2.0, List.of()));
        m.put("empty", Map.of());
        Object back = Json.parse(Json.write(m));
        assertEquals(m, back);
        assertEquals(List.of("z", "a", "n", "t", "list", "empty"), List.copyOf(((Map<?, ?>) back).keySet()));
    }

    @Test
    void integralNumbersAreWrittenWithoutFraction() {
        assertEquals("[ 3, 2.5, -1 ]\n", Json.write(List.of(3.0, 2.5, -1L)));
    }

    @Test
    void nonFiniteNumbersBecomeNull() {
        assertEquals("[ null ]\n", Json.write(List.of(Double.NaN)));
    }

    @Test
    void objectsAreIndentedWithKeyColonSpace() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", Map.of("b", 1.0));
        m.put("e", Map.of());
        m.put("l", List.of());
        assertEquals("{\n  \"a\": {\n    \"b\": 1\n  },\n  \"e\": {},\n  \"l\": []\n}\n", Json.write(m));
    }

    @Test
    void parsesUnicodeEscapesAndExponents() {
        assertEquals(List.of("é", 1500.0), Json.parse("[\"\\u00e9\", 1.5e3]"));
    }

    @Test
    void malformedDocumentsAreRefusedWithTheOffset() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": }"));
        assertTrue(e.getMessage().contains("offset 6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"abc"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1.2.3]"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse(""));
    }
}
