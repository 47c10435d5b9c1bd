package io.podswitch.api.http;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A minimal HTTP/1.1 client over a Unix stream socket: one request per connection, non-blocking I/O
 * under a {@link Selector} so that every step (connect, write, read) is bounded by one absolute
 * deadline — the caller can never hang, whatever the daemon does.
 */
public final class UnixHttpClient {
    private final Path socket;
    private final long connectTimeoutNanos;
    private final HttpLimits limits;

    public UnixHttpClient(Path socket, long connectTimeoutNanos, HttpLimits limits) {
        this.socket = socket;
        this.connectTimeoutNanos = connectTimeoutNanos;
        this.limits = limits;
    }

    /**
     * Sends {@code request} and returns the response, or fails by {@code deadlineNanos} (a
     * {@link System#nanoTime()} value). Connecting is further bounded by the connect timeout.
     */
    public HttpResponse exchange(HttpRequest request, long deadlineNanos) throws HttpClientException {
        SocketChannel channel = null;
        Selector selector = null;
        try {
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.configureBlocking(false);
                selector = Selector.open();
                boolean connected = channel.connect(UnixDomainSocketAddress.of(socket));
                SelectionKey key = channel.register(selector, connected ? 0 : SelectionKey.OP_CONNECT);
                long connectDeadline = Math.min(deadlineNanos, System.nanoTime() + connectTimeoutNanos);
                while (!connected) {
                    await(selector, connectDeadline, "connecting to " + socket);
                    connected = channel.finishConnect();
                }
                key.interestOps(SelectionKey.OP_WRITE);
            } catch (IOException e) {
                throw new HttpClientException(HttpClientException.Kind.UNREACHABLE,
                        "cannot connect to " + socket + ": " + describe(e), e);
            }
            SelectionKey key = channel.keyFor(selector);
            ByteBuffer out = ByteBuffer.wrap(HttpEncoder.encode(request));
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    await(selector, deadlineNanos, "sending the request to " + socket);
                }
            }
            key.interestOps(SelectionKey.OP_READ);
            HttpMessageFramer framer = HttpMessageFramer.forResponse(limits);
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (!framer.isComplete()) {
                in.clear();
                int n = channel.read(in);
                if (n < 0) {
                    endOfInput(framer);
                } else if (n == 0) {
                    await(selector, deadlineNanos, "waiting for the answer of " + socket);
                } else {
                    framer.feed(in.array(), 0, n);
                }
            }
            return framer.response();
        } catch (HttpParseException e) {
            throw new HttpClientException(HttpClientException.Kind.BROKEN,
                    "malformed HTTP response from " + socket + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new HttpClientException(HttpClientException.Kind.BROKEN,
                    "connection to " + socket + " failed: " + describe(e), e);
        } finally {
            closeQuietly(selector);
            closeQuietly(channel);
        }
    }

    /**
     * The peer closed the connection. A response framed by EOF is complete now; anything else is a
     * valid answer cut short — the daemon died or restarted while answering — which is transient
     * (the caller should retry), unlike an answer that is not HTTP at all (a parse error in feed()).
     */
    private void endOfInput(HttpMessageFramer framer) throws HttpClientException {
        try {
            framer.endOfInput();
        } catch (HttpParseException e) {
            throw new HttpClientException(HttpClientException.Kind.BROKEN, "connection to " + socket
                    + " closed before the answer was complete (" + e.getMessage() + ")", null);
        }
    }

    private static void await(Selector selector, long deadlineNanos, String doing)
            throws IOException, HttpClientException {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            throw new HttpClientException(HttpClientException.Kind.TIMEOUT, "timed out " + doing, null);
        }
        selector.select(Math.max(1, (remaining + 999_999) / 1_000_000));
        selector.selectedKeys().clear();
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing a socket we are abandoning: nothing useful to do with a failure here.
        }
    }
}
