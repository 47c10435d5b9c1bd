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
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private final AtomicInteger open;

    private HttpListener(Channel server, Path socketFile, AtomicInteger open) {
        this.server = server;
        this.socketFile = socketFile;
        this.open = open;
    }

    /**
     * Binds a Unix socket (mode 0600). A socket file left by a crashed daemon is replaced; one that a
     * live process still answers on is not (starting twice fails with "another podswitchd is serving").
     */
    public static HttpListener unix(HttpTransport transport, Path socket, HttpEndpoint endpoint, ErrorBodies errors,
                                    ListenerSettings settings) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        if (Files.exists(socket)) {
            if (answers(socket)) {
                throw new IOException("another podswitchd is serving on " + socket);
            }
            Files.delete(socket);
            DaemonLog.info("replaced stale socket " + socket);
        }
        HttpListener listener = bind(transport, transport.unixChannel(), transport.unixAddress(socket), socket,
                endpoint, errors, settings);
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        return listener;
    }

    /** Binds a TCP address (port 0 picks a free port: see {@link #port()}). */
    public static HttpListener tcp(HttpTransport transport, InetSocketAddress address, HttpEndpoint endpoint,
                                   ErrorBodies errors, ListenerSettings settings) throws IOException {
        return bind(transport, transport.tcpChannel(), address, null, endpoint, errors, settings);
    }

    private static HttpListener bind(HttpTransport transport, Class<? extends io.netty.channel.ServerChannel> type,
                                     SocketAddress address, Path socketFile, HttpEndpoint endpoint, ErrorBodies errors,
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
            return new HttpListener(server, socketFile, open);
        } catch (Exception e) {
            // Netty rethrows the bind's IOException unchecked (e.g. EADDRINUSE): name the address.
            throw new IOException("cannot listen on " + describe(address) + ": " + e.getMessage(), e);
        }
    }

    private static String describe(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort()
                : String.valueOf(address);
    }

    /** Does a process accept connections on this socket file? */
    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return probe.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
        }
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
    }
}
