package io.podswitch.api.http;

/** A failed exchange with the daemon, classified by what the caller should tell its own caller. */
public final class HttpClientException extends Exception {
    /** Why the exchange failed. */
    public enum Kind {
        /** No connection: socket file missing, nobody listening, permission denied, backlog full. */
        UNREACHABLE,
        /** Connected (or connecting) but the deadline passed before a complete response arrived. */
        TIMEOUT,
        /** The connection broke, or the peer's answer was not valid HTTP. */
        BROKEN
    }

    private final Kind kind;

    public HttpClientException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
