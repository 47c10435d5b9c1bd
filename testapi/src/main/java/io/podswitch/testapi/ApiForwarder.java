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
 * {@link #muteWhen} makes it lose the stream of such a connection once the response head has passed: the client
 * sees its watch established and then nothing, ever — not the events, not the server closing it — as behind a proxy,
 * load balancer or NAT that lost one side of a connection while keeping the other open.
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
    private volatile Predicate<String> mute = head -> false;
    private final AtomicLong muted = new AtomicLong();

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

    /**
     * From now on, a connection whose first request's head matches {@code head} is forwarded, and so is the head of
     * the API server's response (for a watch: the WebSocket upgrade), but nothing after it: what the server sends
     * later is read and discarded, its closing the connection is not passed on, and the client's side stays open
     * until {@link #stop}. Only the first request of a connection is looked at.
     */
    public void muteWhen(Predicate<String> head) {
        mute = head;
    }

    /** Connections muted by {@link #muteWhen} so far. */
    public long muted() {
        return muted.get();
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
        if (mute.test(new String(head, StandardCharsets.ISO_8859_1))) {
            muted.incrementAndGet();
            Thread.ofVirtual().start(() -> requestsThenNothing(client, upstream));
            Thread.ofVirtual().start(() -> headThenNothing(upstream, client));
        } else {
            Thread.ofVirtual().start(() -> pipe(client, upstream));
            Thread.ofVirtual().start(() -> pipe(upstream, client));
        }
    }

    /** What the client sends, to the server while it takes it, then discarded until the client closes (or {@link #stop}). */
    private void requestsThenNothing(Socket from, Socket to) {
        try (InputStream in = from.getInputStream()) {
            byte[] buffer = new byte[16384];
            int n;
            boolean passing = true;
            while ((n = in.read(buffer)) >= 0) {
                if (passing) {
                    try {
                        to.getOutputStream().write(buffer, 0, n);
                    } catch (IOException e) {
                        passing = false;
                    }
                }
            }
        } catch (IOException e) {
            // the client's side closed or was cut
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    /** The response head from {@code from} to {@code to}, then {@code from} read to its end and discarded; {@code to} left open. */
    private void headThenNothing(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            out.write(firstRequestHead(in)); // a response head ends as a request head does
            out.flush();
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the server's side closed or was cut: the client's side stays as it is
        } finally {
            closeQuietly(from);
            open.remove(from);
        }
    }

    /** The bytes up to the end of the first request's (or response's) headers (or what came before EOF, at most 64 KiB). */
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
