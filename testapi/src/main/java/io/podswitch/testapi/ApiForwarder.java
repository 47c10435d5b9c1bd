package io.podswitch.testapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder in front of the test API server, so that tests can make the API server unreachable for
 * podswitchd ({@link #stop}: listener and every forwarded connection closed, as when the API server's host
 * dies) while the server — and what it holds — lives on and the test keeps changing objects through its own
 * client; {@link #start} makes it reachable again at the same address.
 *
 * <p>The listening socket is made by {@code listen}: inside a network namespace (made there, it stays
 * there, whatever thread then accepts on it) for daemons running in node namespaces, or plainly.
 */
public final class ApiForwarder implements AutoCloseable {
    private final Callable<ServerSocketChannel> listen;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile int port;

    /** @param listen makes a bound listening channel (SO_REUSEADDR, so a restart rebinds at once) */
    public ApiForwarder(Callable<ServerSocketChannel> listen, InetSocketAddress target) {
        this.listen = listen;
        this.target = target;
    }

    /**
     * A listener on {@code address}; port 0 = any free port the first time, the same one on every restart
     * (clients keep their URL across an outage).
     */
    public static Callable<ServerSocketChannel> bind(InetSocketAddress address) {
        InetSocketAddress[] at = {address};
        return () -> {
            ServerSocketChannel ch = ServerSocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(at[0]);
            at[0] = (InetSocketAddress) ch.getLocalAddress();
            return ch;
        };
    }

    public synchronized ApiForwarder start() throws Exception {
        if (listener != null) {
            return this;
        }
        ServerSocket s = listen.call().socket();
        listener = s;
        port = s.getLocalPort();
        Thread.ofVirtual().name("api-forwarder-accept").start(() -> accept(s));
        return this;
    }

    /** The port it listens on (fixed across restarts when {@code listen} binds a fixed one). */
    public int port() {
        return port;
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            Thread.ofVirtual().start(() -> pipe(client, upstream));
            Thread.ofVirtual().start(() -> pipe(upstream, client));
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed: close both
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    /** The API server becomes unreachable: no new connection, every open one cut. */
    public synchronized void stop() {
        ServerSocket s = listener;
        listener = null;
        if (s != null) {
            closeQuietly(s);
        }
        for (Socket c : open) {
            closeQuietly(c);
        }
        open.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
