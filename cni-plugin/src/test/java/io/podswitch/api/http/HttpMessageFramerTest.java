package io.podswitch.api.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpMessageFramerTest {
    private static final String ADD = "POST /v1/cni/add HTTP/1.1\r\nHost: podswitchd\r\nContent-Type: application/json\r\n"
            + "Content-Length: 11\r\n\r\n{\"a\":\"xyz\"}";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static HttpRequest frame(String text) {
        HttpMessageFramer f = HttpMessageFramer.forRequest(HttpLimits.DEFAULT);
        byte[] b = bytes(text);
        int used = f.feed(b, 0, b.length);
        assertTrue(f.isComplete(), "complete after " + used + " of " + b.length);
        return f.request();
    }

    /** The head's line split keeps String.split("\r\n", -1)'s semantics (empty and trailing lines included). */
    @Test
    void linesSplitLikeStringSplitOnCrLf() {
        for (String text : new String[]{"", "a", "a\r\nb", "a\r\n", "\r\n", "\r\n\r\na\r\n\r\n", "a\rb\nc\r\nd",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: \r\n"}) {
            assertEquals(java.util.List.of(text.split("\r\n", -1)), HttpMessageFramer.lines(text), text);
        }
    }

    @Test
    void framesARequest() {
        HttpRequest r = frame(ADD);
        assertEquals("POST", r.method());
        assertEquals("/v1/cni/add", r.target());
        assertEquals("application/json", r.header("content-type"));
        assertEquals("{\"a\":\"xyz\"}", r.bodyText());
    }

    @Test
    void framesByteByByteAndLeavesTheNextMessageUnconsumed() {
        HttpMessageFramer f = HttpMessageFramer.forRequest(HttpLimits.DEFAULT);
        byte[] b = bytes(ADD + "GET /next HTTP/1.1\r\n\r\n");
        int i = 0;
        while (!f.isComplete()) {
            assertEquals(1, f.feed(b, i, 1));
            i++;
        }
        assertEquals(ADD.length(), i);
        assertEquals(0, f.feed(b, i, b.length - i), "a complete framer consumes nothing more");
    }

    @Test
    void getWithoutBodyNeedsNoLength() {
        HttpRequest r = frame("GET /v1/pods HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(0, r.body().length);
    }

    @Test
    void repeatedHeadersAreJoined() {
        HttpRequest r = frame("GET / HTTP/1.1\r\nAccept: a\r\naccept: b\r\n\r\n");
        assertEquals("a, b", r.header("accept"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', value = {
            "GARBAGE\\r\\n\\r\\n|400",
            "POST /x HTTP/1.1 extra\\r\\nContent-Length: 0\\r\\n\\r\\n|400",
            "POST x HTTP/1.1\\r\\nContent-Length: 0\\r\\n\\r\\n|400",
            "P(ST /x HTTP/1.1\\r\\nContent-Length: 0\\r\\n\\r\\n|400",
            "POST /x HTTP/2.0\\r\\nContent-Length: 0\\r\\n\\r\\n|505",
            "POST /x HTTP/1.1\\r\\nContent-Length: 0\\r\\n folded\\r\\n\\r\\n|400",
            "POST /x HTTP/1.1\\r\\nBad Header: 1\\r\\nContent-Length: 0\\r\\n\\r\\n|400",
            "POST /x HTTP/1.1\\r\\nNoColon\\r\\nContent-Length: 0\\r\\n\\r\\n|400",
            "POST /x HTTP/1.1\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n|400",
            "POST /x HTTP/1.1\\r\\nContent-Length: -1\\r\\n\\r\\n|400",
            "POST /x HTTP/1.1\\r\\nContent-Length: 12a\\r\\n\\r\\n|400",
            "POST /x HTTP/1.1\\r\\nContent-Length: 99999999999\\r\\n\\r\\n|413",
            "POST /x HTTP/1.1\\r\\nContent-Length: 2000000\\r\\n\\r\\n|413",
            "POST /x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|411",
            "POST /x HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|501",
            "POST /x HTTP/1.1\\nContent-Length: 0\\r\\n\\r\\n|400",
    })
    void malformedRequestsGetTheRightStatus(String escaped, int status) {
        String text = escaped.replace("\\r", "\r").replace("\\n", "\n");
        HttpMessageFramer f = HttpMessageFramer.forRequest(HttpLimits.DEFAULT);
        byte[] b = bytes(text);
        HttpParseException e = assertThrows(HttpParseException.class, () -> f.feed(b, 0, b.length));
        assertEquals(status, e.status(), e.getMessage());
    }

    @Test
    void oversizedHeadIs431() {
        HttpMessageFramer f = HttpMessageFramer.forRequest(new HttpLimits(64, 8, 100));
        byte[] b = bytes("GET /" + "a".repeat(100) + " HTTP/1.1\r\n\r\n");
        assertEquals(431, assertThrows(HttpParseException.class, () -> f.feed(b, 0, b.length)).status());
        HttpMessageFramer g = HttpMessageFramer.forRequest(new HttpLimits(4096, 2, 100));
        byte[] c = bytes("GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\n\r\n");
        assertEquals(431, assertThrows(HttpParseException.class, () -> g.feed(c, 0, c.length)).status());
    }

    @Test
    void truncatedRequestIsAnErrorAtEndOfInput() {
        HttpMessageFramer f = HttpMessageFramer.forRequest(HttpLimits.DEFAULT);
        byte[] b = bytes(ADD.substring(0, ADD.length() - 3));
        f.feed(b, 0, b.length);
        assertFalse(f.isComplete());
        assertEquals(400, assertThrows(HttpParseException.class, f::endOfInput).status());
    }

    @Test
    void responsesWithAndWithoutLength() {
        HttpMessageFramer f = HttpMessageFramer.forResponse(HttpLimits.DEFAULT);
        byte[] b = bytes("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}");
        f.feed(b, 0, b.length);
        HttpResponse r = f.response();
        assertEquals(503, r.status());
        assertEquals("Service Unavailable", r.reason());
        assertEquals("{}", r.bodyText());

        HttpMessageFramer g = HttpMessageFramer.forResponse(HttpLimits.DEFAULT);
        byte[] c = bytes("HTTP/1.0 200 OK\r\n\r\nuntil eof");
        g.feed(c, 0, c.length);
        assertFalse(g.isComplete());
        g.endOfInput();
        assertEquals("until eof", g.response().bodyText());

        HttpMessageFramer h = HttpMessageFramer.forResponse(HttpLimits.DEFAULT);
        byte[] d = bytes("HTTP/1.1 2x0 OK\r\n\r\n");
        assertEquals(400, assertThrows(HttpParseException.class, () -> h.feed(d, 0, d.length)).status());
    }

    @Test
    void encoderAndFramerAgree() {
        HttpRequest sent = HttpRequest.postJson("/v1/cni/del", "{\"containerID\":\"é\"}");
        byte[] wire = HttpEncoder.encode(sent);
        HttpMessageFramer f = HttpMessageFramer.forRequest(HttpLimits.DEFAULT);
        f.feed(wire, 0, wire.length);
        HttpRequest got = f.request();
        assertEquals("POST", got.method());
        assertEquals("/v1/cni/del", got.target());
        assertArrayEquals(sent.body(), got.body());
        assertEquals("close", got.header("connection"));
        assertThrows(IllegalArgumentException.class, () -> HttpEncoder.encode(
                new HttpRequest("GET", "/", Map.of("x", "a\r\nInjected: 1"), null)));
    }

    @Test
    void serverExchangeReadsOneRequestAndAnswersErrors() throws IOException {
        HttpRequest r = HttpServerExchange.readRequest(new ByteArrayInputStream(bytes(ADD)), HttpLimits.DEFAULT);
        assertEquals("{\"a\":\"xyz\"}", r.bodyText());
        assertNull(HttpServerExchange.readRequest(new ByteArrayInputStream(new byte[0]), HttpLimits.DEFAULT),
                "clean close before a request");
        HttpParseException e = assertThrows(HttpParseException.class, () -> HttpServerExchange.readRequest(
                new ByteArrayInputStream(bytes("POST /x HTTP/1.1\r\n\r\n")), HttpLimits.DEFAULT));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpServerExchange.writeResponse(out, HttpServerExchange.errorResponse(e), false);
        String answer = out.toString(StandardCharsets.UTF_8);
        assertTrue(answer.startsWith("HTTP/1.1 411 Length Required\r\n"), answer);
        assertTrue(answer.contains("\"code\":6"), answer);
        HttpMessageFramer f = HttpMessageFramer.forResponse(HttpLimits.DEFAULT);
        byte[] b = out.toByteArray();
        f.feed(b, 0, b.length);
        assertTrue(f.isComplete(), "the error response is itself well framed");
    }
}
