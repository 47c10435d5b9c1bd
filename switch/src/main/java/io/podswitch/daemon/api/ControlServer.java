package io.podswitch.daemon.api;

import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpParseException;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.HttpServerExchange;
import io.podswitch.daemon.DaemonLog;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The control API's transport: HTTP/1.1 on a Unix stream socket, one request per connection, one
 * virtual thread per connection (blocking reads are cheap there; state changes are serialized on
 * the {@link ControlThread} by {@link ControlApi}).
 *
 * <p>Limits: a request must arrive complete within {@link #READ_TIMEOUT_MS} (a watchdog closes the
 * connection otherwise, so a stuck client holds nothing), and within {@link HttpLimits#DEFAULT}
 * (8 KiB head, 1 MiB body); malformed framing gets the status {@link HttpServerExchange} names and a
 * JSON error body.
 *
 * <p>The socket file is mode 0600 (root's CNI plugin and CLI only). A socket file left by a crashed
 * daemon is replaced; one a live daemon still answers on is not (starting twice fails instead).
 */
public final class ControlServer implements AutoCloseable {
    public static final long READ_TIMEOUT_MS = 10_000;
    private static final int BACKLOG = 512;

    private final Path socket;
    private final ServerSocketChannel server;
    private final ControlApi api;
    private final ScheduledExecutorService watchdog;
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path socket, ServerSocketChannel server, ControlApi api) {
        this.socket = socket;
        this.server = server;
        this.api = api;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("podswitch-api-watchdog").daemon(true).factory());
        this.acceptor = Thread.ofPlatform().name("podswitch-api-accept").daemon(true).unstarted(this::acceptLoop);
    }

    /** Binds the socket (replacing a stale file) and starts accepting. */
    public static ControlServer start(Path socket, ControlApi api) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (Files.exists(socket)) {
            if (answers(socket)) {
                throw new IOException("another podswitchd is serving on " + socket);
            }
            Files.delete(socket);
            DaemonLog.info("replaced stale socket " + socket);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), BACKLOG);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        ControlServer s = new ControlServer(socket, server, api);
        s.acceptor.start();
        return s;
    }

    /** Does a daemon accept connections on this socket file? */
    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    public Path socket() {
        return socket;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel connection;
            try {
                connection = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    DaemonLog.warn("accept failed", e);
                }
                continue;
            }
            Thread.ofVirtual().name("podswitch-api-conn").start(() -> serve(connection));
        }
    }

    private void serve(SocketChannel connection) {
        try (connection) {
            ScheduledFuture<?> timeout = watchdog.schedule(() -> closeQuietly(connection), READ_TIMEOUT_MS,
                    TimeUnit.MILLISECONDS);
            InputStream in = new BufferedInputStream(Channels.newInputStream(connection));
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(connection));
            HttpResponse response;
            try {
                HttpRequest request = HttpServerExchange.readRequest(in, HttpLimits.DEFAULT);
                timeout.cancel(false);
                if (request == null) {
                    return;
                }
                response = api.handle(request);
            } catch (HttpParseException e) {
                timeout.cancel(false);
                response = HttpServerExchange.errorResponse(e);
            }
            HttpServerExchange.writeResponse(out, response, false);
            out.flush();
        } catch (IOException e) {
            // The client went away or was too slow (the watchdog closed it): nothing to answer.
        }
    }

    private static void closeQuietly(SocketChannel connection) {
        try {
            connection.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops accepting, removes the socket file. Requests in progress finish on their own threads. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            DaemonLog.warn("cannot remove " + socket, e);
        }
        watchdog.shutdownNow();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
