package io.podswitch.daemon.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.podswitch.daemon.DaemonLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One listening socket served by Netty's HTTP/1.1 codec on the {@link HttpTransport}: the control API
 * on a Unix socket, or the metrics/probe listener on TCP. Each connection's pipeline:
 *
 * <pre>
 *   ConnectionGuard    request deadline (408) and idle close, on the event loop
 *   HttpServerCodec    framing; request line and headers bounded by the limits
 *   RequestHeadCheck   400 / 411 / 414 / 431 / 505 before any body is buffered
 *   BoundedAggregator  whole request (Content-Length or chunked), 413 beyond the body limit
 *   RequestDispatcher  endpoint on a virtual thread, one request at a time, keep-alive
 * </pre>
 *
 * More than {@link ListenerSettings#maxConnections()} open connections and a new one is closed at once.
 */
public final class HttpListener implements AutoCloseable {
    private static final int BACKLOG = 512;

    private final Channel server;
    private final Path socketFile;
    /** The lock on the socket path (Unix sockets; null for TCP), released after the file is removed. */
    private final FileChannel lock;
    private final AtomicInteger open;

    private HttpListener(Channel server, Path socketFile, FileChannel lock, AtomicInteger open) {
        this.server = server;
        this.socketFile = socketFile;
        this.lock = lock;
        this.open = open;
    }

    /**
     * Binds a Unix socket (mode 0600). Who owns the socket path is decided by an exclusive lock on
     * {@code SOCKET.lock} next to it, held for the listener's life: the lock is free the moment its daemon's
     * process is gone, while the socket of a daemon killed with SIGKILL may still accept connections for a
     * while (its io_uring is torn down by the kernel after the process exited, and only then is its
     * listening socket closed — and the connections it queued reset). So: lock held → another podswitchd is
     * serving, starting fails; lock free → any socket file there is stale and is replaced at once, whether it
     * still accepts connections or not, and new clients reach this listener.
     */
    public static HttpListener unix(HttpTransport transport, Path socket, HttpEndpoint endpoint, ErrorBodies errors,
                                    ListenerSettings settings) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        FileChannel lock = ownSocketPath(socket);
        try {
            if (Files.deleteIfExists(socket)) {
                DaemonLog.info("replaced stale socket " + socket);
            }
            HttpListener listener = bind(transport, transport.unixChannel(), transport.unixAddress(socket), socket,
                    lock, endpoint, errors, settings);
            try {
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | RuntimeException e) {
                listener.close();
                throw e;
            }
            return listener;
        } catch (IOException | RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
    }

    /** The lock file of {@code socket}, locked by this process; fails if another listener holds it. */
    private static FileChannel ownSocketPath(Path socket) throws IOException {
        Path lockFile = socket.resolveSibling(socket.getFileName() + ".lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            held = null;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
        if (held == null) {
            closeQuietly(channel);
            throw new IOException("another podswitchd is serving on " + socket + " (it holds " + lockFile + ")");
        }
        return channel;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            DaemonLog.warn("cannot close " + channel, e);
        }
    }

    /** Binds a TCP address (port 0 picks a free port: see {@link #port()}). */
    public static HttpListener tcp(HttpTransport transport, InetSocketAddress address, HttpEndpoint endpoint,
                                   ErrorBodies errors, ListenerSettings settings) throws IOException {
        return bind(transport, transport.tcpChannel(), address, null, null, endpoint, errors, settings);
    }

    private static HttpListener bind(HttpTransport transport, Class<? extends io.netty.channel.ServerChannel> type,
                                     SocketAddress address, Path socketFile, FileChannel lock, HttpEndpoint endpoint,
                                     ErrorBodies errors,
                                     ListenerSettings settings) throws IOException {
        AtomicInteger open = new AtomicInteger();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(transport.group())
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (open.incrementAndGet() > settings.maxConnections()) {
                            open.decrementAndGet();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new ConnectionGuard(settings, errors));
                        p.addLast(new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(Math.min(4096, settings.limits().maxHeadBytes()))
                                .setMaxHeaderSize(settings.limits().maxHeadBytes())
                                .setMaxChunkSize(64 * 1024)));
                        p.addLast(new RequestHeadCheck(settings, errors));
                        p.addLast(new BoundedAggregator(settings.limits().maxBodyBytes(), errors));
                        p.addLast(new RequestDispatcher(endpoint, errors, transport.requests()));
                    }
                });
        if (type.getName().contains("IoUring") && socketFile == null) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true);
        }
        try {
            Channel server = bootstrap.bind(address).syncUninterruptibly().channel();
            return new HttpListener(server, socketFile, lock, open);
        } catch (Exception e) {
            // Netty rethrows the bind's IOException unchecked (e.g. EADDRINUSE): name the address.
            throw new IOException("cannot listen on " + describe(address) + ": " + e.getMessage(), e);
        }
    }

    private static String describe(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort()
                : String.valueOf(address);
    }

    /** The TCP port bound (for port 0), or -1 for a Unix socket. */
    public int port() {
        return server.localAddress() instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** Connections open right now (tests: nothing leaks). */
    public int openConnections() {
        return open.get();
    }

    /** Stops accepting and removes the socket file; connections in progress finish their request. */
    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                DaemonLog.warn("cannot remove " + socketFile, e);
            }
        }
        if (lock != null) {
            closeQuietly(lock);
        }
    }
}
