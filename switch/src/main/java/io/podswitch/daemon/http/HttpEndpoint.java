package io.podswitch.daemon.http;

import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;

/**
 * What a listener serves: one complete, framed request in, one response out. Runs on a virtual thread
 * of its own, never on the event loop, so it may block (the control API waits for the control thread).
 */
@FunctionalInterface
public interface HttpEndpoint {
    HttpResponse handle(HttpRequest request);
}
