package io.podswitch.api.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An HTTP/1.1 response; header names lower-case, as in {@link HttpRequest}. */
public record HttpResponse(int status, String reason, Map<String, String> headers, byte[] body) {
    public HttpResponse {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("HTTP status must have three digits: " + status);
        }
        reason = reason == null ? "" : reason;
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    public static HttpResponse json(int status, String json) {
        return new HttpResponse(status, HttpStatus.reason(status), Map.of("content-type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
