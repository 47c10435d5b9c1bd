package io.podswitch.api.json;

import io.podswitch.api.json.JsonValue.JsonArray;
import io.podswitch.api.json.JsonValue.JsonBoolean;
import io.podswitch.api.json.JsonValue.JsonNull;
import io.podswitch.api.json.JsonValue.JsonNumber;
import io.podswitch.api.json.JsonValue.JsonObject;
import io.podswitch.api.json.JsonValue.JsonString;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON parser: one value, surrounded only by JSON whitespace; no comments, no
 * trailing commas, no leading zeros, no control characters or lone surrogates in strings, no
 * duplicate member names. Every failure is a {@link JsonParseException} naming the position; the
 * input size and nesting depth are bounded so that hostile input cannot exhaust memory or stack.
 */
public final class JsonParser {
    /** Default bounds: generous for CNI configs and API bodies, small enough to be harmless. */
    public static final int DEFAULT_MAX_CHARS = 1 << 20;
    public static final int DEFAULT_MAX_DEPTH = 64;

    private final String text;
    private final int maxDepth;
    private int pos;

    private JsonParser(String text, int maxDepth) {
        this.text = text;
        this.maxDepth = maxDepth;
    }

    public static JsonValue parse(String text) {
        return parse(text, DEFAULT_MAX_CHARS, DEFAULT_MAX_DEPTH);
    }

    public static JsonValue parse(String text, int maxChars, int maxDepth) {
        if (text.length() > maxChars) {
            throw new JsonParseException("input too large: " + text.length() + " characters, limit " + maxChars,
                    maxChars, 1, 1);
        }
        JsonParser parser = new JsonParser(text, maxDepth);
        parser.skipWhitespace();
        JsonValue value = parser.readValue(0);
        parser.skipWhitespace();
        if (parser.pos != text.length()) {
            throw parser.error("unexpected " + parser.describeHere() + " after the JSON value");
        }
        return value;
    }

    /** Decodes strictly as UTF-8 (malformed bytes are an error, not U+FFFD) and parses. */
    public static JsonValue parse(byte[] utf8) {
        return parse(utf8, DEFAULT_MAX_CHARS, DEFAULT_MAX_DEPTH);
    }

    public static JsonValue parse(byte[] utf8, int maxChars, int maxDepth) {
        if (utf8.length > maxChars * 4L) {
            throw new JsonParseException("input too large: " + utf8.length + " bytes", 0, 1, 1);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        CharBuffer out = CharBuffer.allocate(utf8.length);
        var result = decoder.decode(in, out, true);
        if (result.isError()) {
            // Everything before the bad byte decoded fine: count lines in it for a usable position.
            int bad = in.position();
            String before = new String(utf8, 0, bad, StandardCharsets.UTF_8);
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < before.length(); i++) {
                if (before.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new JsonParseException("invalid UTF-8 byte sequence at byte " + bad, bad, line,
                    before.length() - lineStart + 1);
        }
        decoder.flush(out);
        out.flip();
        return parse(out.toString(), maxChars, maxDepth);
    }

    /** Convenience for callers that expect an object at the top (configs, API bodies). */
    public static JsonObject parseObject(String text) {
        JsonValue value = parse(text);
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new JsonParseException("expected a JSON object at the top level, got " + value.kindName(), 0, 1, 1);
    }

    private JsonValue readValue(int depth) {
        if (pos >= text.length()) {
            throw error("unexpected end of input, expected a value");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> readObject(depth + 1);
            case '[' -> readArray(depth + 1);
            case '"' -> new JsonString(readString());
            case 't' -> readLiteral("true", JsonBoolean.TRUE);
            case 'f' -> readLiteral("false", JsonBoolean.FALSE);
            case 'n' -> readLiteral("null", JsonNull.INSTANCE);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield readNumber();
                }
                throw error("unexpected " + describeHere() + ", expected a value");
            }
        };
    }

    private JsonObject readObject(int depth) {
        checkDepth(depth);
        pos++; // '{'
        Map<String, JsonValue> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return new JsonObject(members);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("unexpected " + describeHere() + ", expected a member name in double quotes");
            }
            int namePos = pos;
            String name = readString();
            if (members.containsKey(name)) {
                pos = namePos;
                throw error("duplicate member name \"" + name + "\"");
            }
            skipWhitespace();
            expect(':', "':' after member name");
            skipWhitespace();
            members.put(name, readValue(depth));
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return new JsonObject(members);
            } else {
                throw error("unexpected " + describeHere() + ", expected ',' or '}' in object");
            }
        }
    }

    private JsonArray readArray(int depth) {
        checkDepth(depth);
        pos++; // '['
        List<JsonValue> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return new JsonArray(elements);
        }
        while (true) {
            skipWhitespace();
            elements.add(readValue(depth));
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return new JsonArray(elements);
            } else {
                throw error("unexpected " + describeHere() + ", expected ',' or ']' in array");
            }
        }
    }

    private String readString() {
        pos++; // opening quote
        StringBuilder sb = null;
        int runStart = pos;
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String value = sb == null ? text.substring(runStart, pos) : sb.append(text, runStart, pos).toString();
                pos++;
                return value;
            }
            if (c < 0x20) {
                throw error("control character U+" + hex4(c) + " in string (must be escaped)");
            }
            if (Character.isHighSurrogate(c)) {
                if (pos + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(pos + 1))) {
                    throw error("unpaired surrogate U+" + hex4(c) + " in string");
                }
                pos += 2;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw error("unpaired surrogate U+" + hex4(c) + " in string");
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(text, runStart, pos);
            pos++;
            if (pos >= text.length()) {
                throw error("unterminated escape sequence");
            }
            char e = text.charAt(pos);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char unit = readHex4(pos + 1);
                    pos += 4;
                    if (Character.isHighSurrogate(unit)) {
                        if (pos + 2 < text.length() && text.charAt(pos + 1) == '\\' && text.charAt(pos + 2) == 'u') {
                            char low = readHex4(pos + 3);
                            if (!Character.isLowSurrogate(low)) {
                                pos -= 5;
                                throw error("high surrogate \\u" + hex4(unit) + " not followed by a low surrogate");
                            }
                            sb.append(unit).append(low);
                            pos += 6;
                        } else {
                            pos -= 5;
                            throw error("high surrogate \\u" + hex4(unit) + " not followed by a low surrogate");
                        }
                    } else if (Character.isLowSurrogate(unit)) {
                        pos -= 5;
                        throw error("lone low surrogate \\u" + hex4(unit));
                    } else {
                        sb.append(unit);
                    }
                }
                default -> {
                    pos--;
                    throw error("invalid escape sequence '\\" + printable(e) + "'");
                }
            }
            pos++;
            runStart = pos;
        }
    }

    /** Reads the four hex digits starting at {@code at}. */
    private char readHex4(int at) {
        if (at + 4 > text.length()) {
            pos = Math.min(at, text.length());
            throw error("truncated \\u escape, expected four hex digits");
        }
        int v = 0;
        for (int i = at; i < at + 4; i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0 || text.charAt(i) > 'f') {
                pos = i;
                throw error("invalid hex digit " + describeAt(i) + " in \\u escape");
            }
            v = (v << 4) | d;
        }
        return (char) v;
    }

    private JsonNumber readNumber() {
        int end = JsonNumberSyntax.scan(text, pos);
        if (end < 0) {
            pos = -end - 1;
            throw error("malformed number: unexpected " + describeHere());
        }
        if (end < text.length() && isDigitOrLetter(text.charAt(end))) {
            pos = end;
            throw error("malformed number: unexpected " + describeHere());
        }
        String literal = text.substring(pos, end);
        pos = end;
        return new JsonNumber(literal);
    }

    private JsonValue readLiteral(String word, JsonValue value) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected " + describeHere() + ", expected a value");
        }
        int end = pos + word.length();
        if (end < text.length() && isDigitOrLetter(text.charAt(end))) {
            pos = end;
            throw error("unexpected " + describeHere() + " after '" + word + "'");
        }
        pos = end;
        return value;
    }

    private void checkDepth(int depth) {
        if (depth > maxDepth) {
            throw error("nesting deeper than " + maxDepth + " levels");
        }
    }

    private void expect(char c, String what) {
        if (peek() != c) {
            throw error("unexpected " + describeHere() + ", expected " + what);
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private String describeHere() {
        return pos >= text.length() ? "end of input" : describeAt(pos);
    }

    private String describeAt(int i) {
        return "character '" + printable(text.charAt(i)) + "'";
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : "U+" + hex4(c);
    }

    private static boolean isDigitOrLetter(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+'
                || c == '-';
    }

    private static String hex4(char c) {
        String h = Integer.toHexString(c).toUpperCase();
        return "0000".substring(h.length()) + h;
    }

    private JsonParseException error(String problem) {
        int line = 1;
        int lineStart = 0;
        int limit = Math.min(pos, text.length());
        for (int i = 0; i < limit; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new JsonParseException(problem, pos, line, pos - lineStart + 1);
    }
}
