package io.podswitch.daemon.http;

import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * How a listener words a request it refuses before any endpoint sees it (malformed, oversized, slow):
 * the control API answers in its JSON error shape, the metrics/probe listener in plain text.
 */
@FunctionalInterface
public interface ErrorBodies {
    HttpResponse error(int status, String message);

    /** {@code text/plain}: the status line's reason and the message. */
    ErrorBodies PLAIN_TEXT = (status, message) -> new HttpResponse(status, HttpStatus.reason(status),
            Map.of("content-type", "text/plain; charset=utf-8"),
            (HttpStatus.reason(status) + ": " + message + "\n").getBytes(StandardCharsets.UTF_8));
}
