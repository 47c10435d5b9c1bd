package io.podswitch.perf.baseline;

import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpParseException;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.HttpServerExchange;
import io.podswitch.daemon.http.HttpEndpoint;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control API's server as podswitchd ran it before 4aea6d1 (its {@code ControlServer} at 4aea6d1^), kept
 * as the baseline of the {@code control-api} bench scenario — not production code: HTTP/1.1 on a Unix
 * stream socket, one request per connection, an acceptor platform thread, one virtual thread per
 * connection reading with blocking streams through {@link HttpServerExchange} (the plugin's own
 * {@code HttpMessageFramer}), and a watchdog that closes a connection whose request is not complete within
 * {@link #READ_TIMEOUT_MS}.
 *
 * <p>Changed from the original only where the bench needs it: it serves any {@link HttpEndpoint} (the
 * scenario hands it the same {@code ControlApi::handle} the Netty server gets) instead of the
 * {@code ControlApi} type, it does not probe or replace a stale socket file (the bench binds fresh
 * paths), it logs nothing, and it counts failed accepts instead of logging them.
 */
public final class HandWrittenControlServer implements AutoCloseable {
    public static final long READ_TIMEOUT_MS = 10_000;
    private static final int BACKLOG = 512;

    private final Path socket;
    private final ServerSocketChannel server;
    private final HttpEndpoint endpoint;
    private final ScheduledExecutorService watchdog;
    private final Thread acceptor;
    private final AtomicLong acceptFailures = new AtomicLong();
    private volatile boolean closed;

    private HandWrittenControlServer(Path socket, ServerSocketChannel server, HttpEndpoint endpoint) {
        this.socket = socket;
        this.server = server;
        this.endpoint = endpoint;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("podswitch-api-watchdog").daemon(true).factory());
        this.acceptor = Thread.ofPlatform().name("podswitch-api-accept").daemon(true).unstarted(this::acceptLoop);
    }

    /** Binds {@code socket} (mode 0600, as podswitchd did) and starts accepting. */
    public static HandWrittenControlServer start(Path socket, HttpEndpoint endpoint) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), BACKLOG);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        HandWrittenControlServer s = new HandWrittenControlServer(socket, server, endpoint);
        s.acceptor.start();
        return s;
    }

    public Path socket() {
        return socket;
    }

    /** Accepts that failed with an I/O error other than the close (0 in a healthy run). */
    public long acceptFailures() {
        return acceptFailures.get();
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
                    acceptFailures.incrementAndGet();
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
                response = endpoint.handle(request);
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
        } catch (IOException ignored) {
            // a temp directory the caller removes
        }
        watchdog.shutdownNow();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
