package io.podswitch.api.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Incrementally frames one HTTP/1.1 message (request or response) from bytes as they arrive, so both
 * a blocking server loop and a non-blocking client with a deadline can use it.
 *
 * <pre>
 *   start-line CRLF              "POST /v1/cni/add HTTP/1.1"  |  "HTTP/1.1 200 OK"
 *   *( field-name ":" OWS field-value OWS CRLF )
 *   CRLF
 *   body                         exactly Content-Length bytes (responses without one: until EOF)
 * </pre>
 *
 * Strict on purpose: CRLF line ends only, no obs-fold, no Transfer-Encoding (501), one consistent
 * Content-Length, POST/PUT requests must carry Content-Length (411). Limits give 431 / 413.
 */
public final class HttpMessageFramer {
    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int DONE = 2;

    private final boolean parsingRequest;
    private final HttpLimits limits;
    private byte[] head = new byte[512];
    private int headLength;
    private int state = HEAD;

    private String method;
    private String target;
    private int status;
    private String reason;
    private Map<String, String> headers;
    private byte[] body;
    private int bodyLength;
    private boolean bodyUntilEof;

    private HttpMessageFramer(boolean parsingRequest, HttpLimits limits) {
        this.parsingRequest = parsingRequest;
        this.limits = limits;
    }

    public static HttpMessageFramer forRequest(HttpLimits limits) {
        return new HttpMessageFramer(true, limits);
    }

    public static HttpMessageFramer forResponse(HttpLimits limits) {
        return new HttpMessageFramer(false, limits);
    }

    public boolean isComplete() {
        return state == DONE;
    }

    /**
     * Consumes bytes of the message; returns how many were used. Bytes after a complete message are
     * not consumed (they belong to the next message on a kept-alive connection).
     */
    public int feed(byte[] bytes, int offset, int length) {
        int used = 0;
        while (used < length && state != DONE) {
            if (state == HEAD) {
                used += feedHead(bytes, offset + used, length - used);
            } else {
                int n = bodyUntilEof ? length - used : Math.min(length - used, body.length - bodyLength);
                if (bodyUntilEof && bodyLength + n > limits.maxBodyBytes()) {
                    throw new HttpParseException(413, "body larger than " + limits.maxBodyBytes() + " bytes");
                }
                ensureBody(bodyLength + n);
                System.arraycopy(bytes, offset + used, body, bodyLength, n);
                bodyLength += n;
                used += n;
                if (!bodyUntilEof && bodyLength == body.length) {
                    state = DONE;
                }
            }
        }
        return used;
    }

    /** True once the empty line ending the head has been seen (headers are known). */
    public boolean isHeadComplete() {
        return state != HEAD;
    }

    /** Body bytes still expected (at least 1 while a body framed by EOF is being read). */
    public int bodyBytesMissing() {
        if (state != BODY) {
            return 0;
        }
        return bodyUntilEof ? 4096 : body.length - bodyLength;
    }

    /** The peer closed the connection: completes a response framed by EOF, otherwise an error. */
    public void endOfInput() {
        if (state == DONE) {
            return;
        }
        if (state == BODY && bodyUntilEof) {
            body = Arrays.copyOf(body, bodyLength);
            state = DONE;
            return;
        }
        throw new HttpParseException(400, state == HEAD && headLength == 0 ? "connection closed before any data"
                : "connection closed in the middle of the message");
    }

    public HttpRequest request() {
        requireDone();
        return new HttpRequest(method, target, headers, body);
    }

    public HttpResponse response() {
        requireDone();
        return new HttpResponse(status, reason, headers, body);
    }

    private void requireDone() {
        if (state != DONE) {
            throw new IllegalStateException("message not complete");
        }
    }

    private int feedHead(byte[] bytes, int offset, int length) {
        for (int i = 0; i < length; i++) {
            if (headLength == limits.maxHeadBytes()) {
                throw new HttpParseException(431, "request line and headers exceed " + limits.maxHeadBytes() + " bytes");
            }
            if (headLength == head.length) {
                head = Arrays.copyOf(head, Math.min(head.length * 2, limits.maxHeadBytes()));
            }
            head[headLength++] = bytes[offset + i];
            if (headLength >= 4 && head[headLength - 1] == '\n' && head[headLength - 2] == '\r'
                    && head[headLength - 3] == '\n' && head[headLength - 4] == '\r') {
                parseHead();
                return i + 1;
            }
        }
        return length;
    }

    private void parseHead() {
        String text = new String(head, 0, headLength - 4, StandardCharsets.ISO_8859_1);
        List<String> lines = lines(text);
        for (String line : lines) {
            if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                throw new HttpParseException(400, "bare CR or LF in message head");
            }
        }
        if (parsingRequest) {
            parseRequestLine(lines.get(0));
        } else {
            parseStatusLine(lines.get(0));
        }
        if (lines.size() - 1 > limits.maxHeaderCount()) {
            throw new HttpParseException(431, "more than " + limits.maxHeaderCount() + " header lines");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            parseHeaderLine(lines.get(i), fields);
        }
        headers = fields;
        decideBodyLength();
        head = null;
    }

    /**
     * The head split at each CRLF, like {@code text.split("\r\n", -1)} but without compiling a regex:
     * the plugin parses one response per process, and java.util.regex's start-up is part of pod start.
     */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int end = text.indexOf("\r\n"); end >= 0; end = text.indexOf("\r\n", start)) {
            lines.add(text.substring(start, end));
            start = end + 2;
        }
        lines.add(text.substring(start));
        return lines;
    }

    private void parseRequestLine(String line) {
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) {
            throw new HttpParseException(400, "malformed request line: " + quote(line));
        }
        method = line.substring(0, sp1);
        target = line.substring(sp1 + 1, sp2);
        String version = line.substring(sp2 + 1);
        if (!isToken(method)) {
            throw new HttpParseException(400, "malformed method: " + quote(method));
        }
        if (!target.startsWith("/") || !isVisible(target)) {
            throw new HttpParseException(400, "malformed request target: " + quote(target));
        }
        checkVersion(version);
    }

    private void parseStatusLine(String line) {
        if (line.length() < 12 || line.charAt(8) != ' ' || (line.length() > 12 && line.charAt(12) != ' ')) {
            throw new HttpParseException(400, "malformed status line: " + quote(line));
        }
        checkVersion(line.substring(0, 8));
        int code = 0;
        for (int i = 9; i < 12; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpParseException(400, "malformed status code in " + quote(line));
            }
            code = code * 10 + (c - '0');
        }
        if (code < 100) {
            throw new HttpParseException(400, "malformed status code in " + quote(line));
        }
        status = code;
        reason = line.length() > 13 ? line.substring(13) : "";
    }

    private static void checkVersion(String version) {
        if (version.equals("HTTP/1.1") || version.equals("HTTP/1.0")) {
            return;
        }
        if (version.length() == 8 && version.startsWith("HTTP/") && Character.isDigit(version.charAt(5))
                && version.charAt(6) == '.' && Character.isDigit(version.charAt(7))) {
            throw new HttpParseException(505, "HTTP version not supported: " + version);
        }
        throw new HttpParseException(400, "malformed HTTP version: " + quote(version));
    }

    private static void parseHeaderLine(String line, Map<String, String> fields) {
        if (line.isEmpty()) {
            throw new HttpParseException(400, "empty header line");
        }
        if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
            throw new HttpParseException(400, "obsolete line folding is not accepted");
        }
        int colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.substring(0, colon))) {
            throw new HttpParseException(400, "malformed header line: " + quote(line));
        }
        String name = line.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
        String value = line.substring(colon + 1).strip();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new HttpParseException(400, "control character in header " + name);
            }
        }
        String previous = fields.get(name);
        if (previous != null && name.equals("content-length") && !previous.equals(value)) {
            throw new HttpParseException(400, "conflicting Content-Length headers");
        }
        fields.put(name, previous == null || name.equals("content-length") ? value : previous + ", " + value);
    }

    private void decideBodyLength() {
        if (headers.containsKey("transfer-encoding")) {
            throw new HttpParseException(501, "Transfer-Encoding is not supported; send Content-Length");
        }
        String lengthText = headers.get("content-length");
        if (lengthText == null) {
            if (parsingRequest) {
                if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
                    throw new HttpParseException(411, method + " without Content-Length");
                }
                startBody(0);
            } else if (status < 200 || status == 204 || status == 304) {
                startBody(0);
            } else {
                bodyUntilEof = true;
                body = new byte[1024];
                state = BODY;
            }
            return;
        }
        if (lengthText.isEmpty() || lengthText.length() > 10) {
            throw new HttpParseException(lengthText.isEmpty() ? 400 : 413, "bad Content-Length: " + quote(lengthText));
        }
        long length = 0;
        for (int i = 0; i < lengthText.length(); i++) {
            char c = lengthText.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpParseException(400, "bad Content-Length: " + quote(lengthText));
            }
            length = length * 10 + (c - '0');
        }
        if (length > limits.maxBodyBytes()) {
            throw new HttpParseException(413, "body of " + length + " bytes exceeds the limit of "
                    + limits.maxBodyBytes());
        }
        startBody((int) length);
    }

    private void startBody(int length) {
        body = new byte[length];
        bodyLength = 0;
        state = length == 0 ? DONE : BODY;
    }

    private void ensureBody(int needed) {
        if (needed > body.length) {
            body = Arrays.copyOf(body, Math.max(needed, body.length * 2));
        }
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isVisible(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static String quote(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "\"" + shown + "\"";
    }
}
