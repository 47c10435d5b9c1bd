package io.podswitch.api.http;

import io.podswitch.api.json.JsonValue.JsonString;
import io.podswitch.api.json.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The server side for blocking streams (one connection per thread or virtual thread): read one
 * request within limits, write one response. Malformed input becomes an {@link HttpParseException}
 * whose status the server sends back with {@link #errorResponse}; nothing else is touched.
 */
public final class HttpServerExchange {
    private HttpServerExchange() {
    }

    /**
     * Reads the next request. Returns null when the peer closed the connection before sending a byte
     * (normal end of a kept-alive connection). Reads at most one message; a pipelined follower is not
     * supported (the plugin sends one request per connection) and its bytes are rejected as 400.
     */
    public static HttpRequest readRequest(InputStream in, HttpLimits limits) throws IOException {
        HttpMessageFramer framer = HttpMessageFramer.forRequest(limits);
        byte[] one = new byte[1];
        boolean any = false;
        byte[] buffer = new byte[4096];
        while (!framer.isComplete()) {
            // Read the head byte by byte so we never consume bytes past this message's end.
            int n = framer.isHeadComplete() ? in.read(buffer, 0, Math.min(buffer.length, framer.bodyBytesMissing()))
                    : in.read(one, 0, 1);
            if (n < 0) {
                if (!any) {
                    return null;
                }
                framer.endOfInput();
                break;
            }
            any = true;
            if (framer.isHeadComplete()) {
                framer.feed(buffer, 0, n);
            } else {
                framer.feed(one, 0, n);
            }
        }
        return framer.request();
    }

    public static void writeResponse(OutputStream out, HttpResponse response, boolean keepAlive) throws IOException {
        out.write(HttpEncoder.encode(response, keepAlive));
        out.flush();
    }

    /** A JSON error body for a framing error, in the protocol's error shape (CNI code 6: decode failure). */
    public static HttpResponse errorResponse(HttpParseException e) {
        String json = "{\"code\":6,\"msg\":\"malformed HTTP request\",\"details\":" + jsonString(e.getMessage()) + "}";
        return new HttpResponse(e.status(), HttpStatus.reason(e.status()), Map.of("content-type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    private static String jsonString(String s) {
        return JsonWriter.write(new JsonString(s));
    }
}
