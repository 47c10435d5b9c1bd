package io.podswitch.daemon.http;

import io.podswitch.api.http.HttpLimits;

/**
 * Bounds of one listener, so that no client — malformed, huge or slow — can make it hold memory,
 * descriptors or threads without limit.
 *
 * @param limits           request line + headers (431/414), header count (431), body (413)
 * @param requestTimeoutMs a request must arrive complete this long after its first byte (else 408 and close)
 * @param idleTimeoutMs    a connection with no request in progress is closed after this
 * @param maxConnections   more open connections than this and new ones are closed at once
 */
public record ListenerSettings(HttpLimits limits, long requestTimeoutMs, long idleTimeoutMs, int maxConnections) {
    /** 8 KiB of head, 64 headers, 1 MiB of body; 10 s per request, 60 s idle, 512 connections. */
    public static final ListenerSettings DEFAULTS = new ListenerSettings(HttpLimits.DEFAULT, 10_000, 60_000, 512);

    public ListenerSettings {
        if (requestTimeoutMs < 1 || idleTimeoutMs < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("implausible listener settings");
        }
    }

    public ListenerSettings withRequestTimeoutMs(long ms) {
        return new ListenerSettings(limits, ms, idleTimeoutMs, maxConnections);
    }

    public ListenerSettings withIdleTimeoutMs(long ms) {
        return new ListenerSettings(limits, requestTimeoutMs, ms, maxConnections);
    }

    public ListenerSettings withMaxConnections(int n) {
        return new ListenerSettings(limits, requestTimeoutMs, idleTimeoutMs, n);
    }
}
