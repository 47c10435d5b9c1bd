package io.podswitch.testapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A TCP forwarder in front of the test API server, so that tests can make the API server unreachable for
 * podswitchd ({@link #stop}: listener and every forwarded connection closed, as when the API server's host
 * dies) while the server — and what it holds — lives on and the test keeps changing objects through its own
 * client; {@link #start} makes it reachable again at the same address.
 *
 * <p>{@link #dropWhen} makes it drop connections whose first request matches (the connection closed before any
 * byte reaches the API server), as a proxy or a flaky network may: e.g. one WebSocket upgrade of one watch.
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
    private volatile Predicate<String> drop = head -> false;
    private final AtomicLong dropped = new AtomicLong();

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

    /**
     * From now on, a connection whose first request's head (request line and headers, as sent) matches
     * {@code head} is closed before anything is forwarded. Only the first request of a connection is looked at:
     * a WebSocket upgrade always has a connection of its own.
     */
    public void dropWhen(Predicate<String> head) {
        drop = head;
    }

    /** Connections dropped by {@link #dropWhen} so far. */
    public long dropped() {
        return dropped.get();
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
            open.add(client); // stop() closes it also while its first request is being read
            Thread.ofVirtual().start(() -> forward(s, client));
        }
    }

    private void forward(ServerSocket s, Socket client) {
        byte[] head;
        try {
            head = firstRequestHead(client.getInputStream());
        } catch (IOException e) {
            closeQuietly(client);
            open.remove(client);
            return;
        }
        if (drop.test(new String(head, StandardCharsets.ISO_8859_1))) {
            dropped.incrementAndGet();
            closeQuietly(client);
            open.remove(client);
            return;
        }
        Socket upstream = new Socket();
        try {
            upstream.connect(target, 2000);
            upstream.getOutputStream().write(head);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            open.remove(client);
            return;
        }
        synchronized (this) {
            // stop() may have run since accept() returned: a connection it did not see must not outlive it
            if (listener != s) {
                closeQuietly(client);
                closeQuietly(upstream);
                open.remove(client);
                return;
            }
            open.add(upstream);
        }
        Thread.ofVirtual().start(() -> pipe(client, upstream));
        Thread.ofVirtual().start(() -> pipe(upstream, client));
    }

    /** The bytes up to the end of the first request's headers (or what came before EOF, at most 64 KiB). */
    private static byte[] firstRequestHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length && head.size() < 65536) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        return head.toByteArray();
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
