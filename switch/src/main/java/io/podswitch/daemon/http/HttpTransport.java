package io.podswitch.daemon.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.podswitch.daemon.DaemonLog;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The control plane's network I/O: one Netty event loop thread ({@code podswitch-http}) on the
 * io_uring transport, shared by the control socket (Unix) and the metrics/probe listener (TCP), plus a
 * virtual thread per request for the endpoints (which may block; the event loop never does).
 *
 * <p>io_uring serves both kinds of socket: Netty 4.2's {@code IoUringServerDomainSocketChannel} for
 * the Unix socket, {@code IoUringServerSocketChannel} for TCP. Where the kernel or a seccomp profile
 * refuses io_uring (container runtimes' default profiles block its syscalls), the same pipelines run on
 * Netty's NIO transport instead — JDK channels, Unix sockets included — and the daemon says so once.
 */
public final class HttpTransport implements AutoCloseable {
    private final boolean ioUring;
    private final EventLoopGroup group;
    private final ExecutorService requests;

    private HttpTransport(boolean ioUring) {
        this.ioUring = ioUring;
        IoHandlerFactory handler = ioUring ? IoUringIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1,
                Thread.ofPlatform().name("podswitch-http").daemon(true).factory(), handler);
        this.requests = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("podswitch-http-request").factory());
    }

    /** io_uring when the kernel allows it, else NIO (logged with io_uring's reason). */
    public static HttpTransport start() {
        if (IoUring.isAvailable()) {
            return new HttpTransport(true);
        }
        DaemonLog.info("io_uring unavailable (" + IoUring.unavailabilityCause() + "): the control socket and the "
                + "metrics listener use Netty's NIO transport");
        return new HttpTransport(false);
    }

    /** Always NIO (tests compare both; an operator never needs this). */
    public static HttpTransport startNio() {
        return new HttpTransport(false);
    }

    /** "io_uring" or "nio": which transport the listeners run on. */
    public String name() {
        return ioUring ? "io_uring" : "nio";
    }

    EventLoopGroup group() {
        return group;
    }

    ExecutorService requests() {
        return requests;
    }

    Class<? extends ServerChannel> unixChannel() {
        return ioUring ? IoUringServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
    }

    Class<? extends ServerChannel> tcpChannel() {
        return ioUring ? IoUringServerSocketChannel.class : NioServerSocketChannel.class;
    }

    SocketAddress unixAddress(Path socket) {
        return ioUring ? new DomainSocketAddress(socket.toFile()) : UnixDomainSocketAddress.of(socket);
    }

    /** Stops the event loop (listeners should be closed first) and lets running requests finish. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        requests.shutdown();
    }
}
