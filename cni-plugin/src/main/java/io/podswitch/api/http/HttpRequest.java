package io.podswitch.api.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/1.1 request as framed by {@link HttpMessageFramer}: header names are lower-case, repeated
 * headers are joined with ", " (RFC 9110 §5.3), the body is exactly Content-Length bytes.
 */
public record HttpRequest(String method, String target, Map<String, String> headers, byte[] body) {
    public HttpRequest {
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    public static HttpRequest postJson(String target, String json) {
        return new HttpRequest("POST", target, Map.of("content-type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
