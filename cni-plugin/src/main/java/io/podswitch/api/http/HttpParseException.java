package io.podswitch.api.http;

/**
 * A malformed, oversized or unsupported HTTP message. {@link #status()} is the response a server
 * should send (400, 411, 413, 431, 501, 505) before closing the connection.
 */
public final class HttpParseException extends RuntimeException {
    private final int status;

    public HttpParseException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
