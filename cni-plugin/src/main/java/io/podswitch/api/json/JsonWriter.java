package io.podswitch.api.json;

import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonBoolean;
import io.podswitch.api.json.JsonValue.JsonNumber;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link JsonValue}s as RFC 8259 text: compact for the wire, or indented for humans (CNI
 * results on stdout, like the reference plugins print them). Escapes '"', '\', control characters
 * and the line separators U+2028/U+2029; everything else is written as-is (output is UTF-8).
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonWriter() {
    }

    public static String write(JsonValue value) {
        StringBuilder sb = new StringBuilder(128);
        append(sb, value, -1, 0);
        return sb.toString();
    }

    public static String writePretty(JsonValue value) {
        StringBuilder sb = new StringBuilder(256);
        append(sb, value, 4, 0);
        return sb.toString();
    }

    // An instanceof chain rather than a pattern switch: the latter bootstraps through invokedynamic,
    // which costs the short-lived CNI process measurable startup time.
    private static void append(StringBuilder sb, JsonValue value, int indent, int level) {
        if (value instanceof JsonObject o) {
            appendObject(sb, o.members(), indent, level);
        } else if (value instanceof JsonArray a) {
            appendArray(sb, a.elements(), indent, level);
        } else if (value instanceof JsonString s) {
            appendString(sb, s.value());
        } else if (value instanceof JsonNumber n) {
            sb.append(n.text());
        } else if (value instanceof JsonBoolean b) {
            sb.append(b.value());
        } else {
            sb.append("null");
        }
    }

    private static void appendObject(StringBuilder sb, Map<String, JsonValue> members, int indent, int level) {
        if (members.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append('{');
        Iterator<Map.Entry<String, JsonValue>> it = members.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonValue> e = it.next();
            newline(sb, indent, level + 1);
            appendString(sb, e.getKey());
            sb.append(indent < 0 ? ":" : ": ");
            append(sb, e.getValue(), indent, level + 1);
            if (it.hasNext()) {
                sb.append(',');
            }
        }
        newline(sb, indent, level);
        sb.append('}');
    }

    private static void appendArray(StringBuilder sb, List<JsonValue> elements, int indent, int level) {
        if (elements.isEmpty()) {
            sb.append("[]");
            return;
        }
        sb.append('[');
        for (int i = 0; i < elements.size(); i++) {
            newline(sb, indent, level + 1);
            append(sb, elements.get(i), indent, level + 1);
            if (i + 1 < elements.size()) {
                sb.append(',');
            }
        }
        newline(sb, indent, level);
        sb.append(']');
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        if (indent < 0) {
            return;
        }
        sb.append('\n');
        sb.repeat(' ', indent * level);
    }

    static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029'
                            || (Character.isSurrogate(c) && !isPairedAt(s, i))) {
                        // Lone surrogates are escaped so the output stays valid UTF-8; the parser
                        // rejects them on the way back, which is the honest outcome for such a string.
                        sb.append("\\u");
                        for (int shift = 12; shift >= 0; shift -= 4) {
                            sb.append(HEX[(c >> shift) & 0xf]);
                        }
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static boolean isPairedAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
