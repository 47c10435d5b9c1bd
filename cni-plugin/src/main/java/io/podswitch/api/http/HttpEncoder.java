package io.podswitch.api.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Serialises requests and responses with CRLF line ends and an exact Content-Length. Header names and
 * values are checked for CR/LF so that no caller can smuggle a header or a second message.
 */
public final class HttpEncoder {
    private HttpEncoder() {
    }

    /** Encodes a request for a Unix-socket peer; adds Host (required by HTTP/1.1) and Connection: close. */
    public static byte[] encode(HttpRequest request) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(request.method()).append(' ').append(request.target()).append(" HTTP/1.1\r\n");
        sb.append("host: podswitchd\r\n");
        appendHeaders(sb, request.headers());
        sb.append("connection: close\r\n");
        sb.append("content-length: ").append(request.body().length).append("\r\n\r\n");
        return join(sb, request.body());
    }

    public static byte[] encode(HttpResponse response, boolean keepAlive) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("HTTP/1.1 ").append(response.status()).append(' ').append(response.reason()).append("\r\n");
        appendHeaders(sb, response.headers());
        sb.append(keepAlive ? "connection: keep-alive\r\n" : "connection: close\r\n");
        sb.append("content-length: ").append(response.body().length).append("\r\n\r\n");
        return join(sb, response.body());
    }

    private static void appendHeaders(StringBuilder sb, Map<String, String> headers) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = h.getKey();
            if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("connection")
                    || name.equalsIgnoreCase("host")) {
                continue; // framing headers are the encoder's job
            }
            checkNoLineBreak(name);
            checkNoLineBreak(h.getValue());
            sb.append(name).append(": ").append(h.getValue()).append("\r\n");
        }
    }

    private static void checkNoLineBreak(String s) {
        if (s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("line break in HTTP header: " + s);
        }
    }

    private static byte[] join(StringBuilder head, byte[] body) {
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(headBytes.length + body.length);
        out.writeBytes(headBytes);
        out.writeBytes(body);
        return out.toByteArray();
    }
}
