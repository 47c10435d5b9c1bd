package io.podswitch.daemon.api;

import io.podswitch.api.ApiError;
import io.podswitch.daemon.http.ErrorBodies;
import io.podswitch.daemon.http.HttpListener;
import io.podswitch.daemon.http.HttpTransport;
import io.podswitch.daemon.http.ListenerSettings;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The control API's transport: HTTP/1.1 on a Unix stream socket (mode 0600: root's CNI plugin and CLI
 * only), served by Netty on the daemon's {@link HttpTransport} (io_uring); each request runs on a
 * virtual thread and waits for the {@link ControlThread} in {@link ControlApi}.
 *
 * <p>Limits ({@link ListenerSettings#DEFAULTS}): a request must arrive complete within 10 s of its first
 * byte (else 408), 8 KiB of request line and headers (414/431), 1 MiB of body (413), POST without a
 * length 411; every refusal carries the API's JSON error body (code 6, or 11 when the daemon is busy or
 * stopping). A socket file left by a crashed daemon is replaced; one a live daemon holds (its lock on
 * {@code SOCKET.lock}, see {@link HttpListener#unix}) is not: starting twice fails instead.
 */
public final class ControlServer implements AutoCloseable {
    /** The control API's refusals in its own error shape: {@code {"code":6,"msg":"...","details":"..."}}. */
    static final ErrorBodies JSON_ERRORS = (status, message) -> {
        ApiError error = new ApiError(status == 503 ? ApiError.TRY_AGAIN_LATER : ApiError.DECODING_FAILURE,
                status == 503 ? "busy" : "malformed HTTP request", message);
        return ControlJson.response(status, ControlJson.error(error));
    };

    private final Path socket;
    private final HttpListener listener;
    private final HttpTransport ownTransport;

    private ControlServer(Path socket, HttpListener listener, HttpTransport ownTransport) {
        this.socket = socket;
        this.listener = listener;
        this.ownTransport = ownTransport;
    }

    /** Binds the socket (replacing a stale file) on {@code transport} and starts serving. */
    public static ControlServer start(HttpTransport transport, Path socket, ControlApi api, ListenerSettings settings)
            throws IOException {
        return new ControlServer(socket, HttpListener.unix(transport, socket, api::handle, JSON_ERRORS, settings), null);
    }

    /** Binds the socket on a transport of its own (closed with the server): for tools and tests. */
    public static ControlServer start(Path socket, ControlApi api) throws IOException {
        HttpTransport transport = HttpTransport.start();
        try {
            return new ControlServer(socket, HttpListener.unix(transport, socket, api::handle, JSON_ERRORS,
                    ListenerSettings.DEFAULTS), transport);
        } catch (IOException | RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    public Path socket() {
        return socket;
    }

    /** Open connections (tests: none leak). */
    public int openConnections() {
        return listener.openConnections();
    }

    /** Stops accepting, removes the socket file. Requests in progress finish on their own threads. */
    @Override
    public void close() {
        listener.close();
        if (ownTransport != null) {
            ownTransport.close();
        }
    }
}
