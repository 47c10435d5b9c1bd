package io.podswitch.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both listeners (Unix socket and TCP) on both transports (io_uring, NIO) against what a careless or
 * hostile client sends: every refusal is a clear 4xx/5xx, slow and idle connections are closed, and
 * afterwards no connection stays open and no request thread is left.
 */
class HttpListenerTest {
    /** Small limits so the test is quick: 1 KiB of head, 8 headers, 4 KiB of body, 300 ms per request. */
    private static final ListenerSettings SETTINGS = new ListenerSettings(new HttpLimits(1024, 8, 4096), 300, 600, 16);

    @TempDir
    Path dir;

    static Stream<Arguments> listeners() {
        return Stream.of(Arguments.of("unix", "io_uring"), Arguments.of("tcp", "io_uring"),
                Arguments.of("unix", "nio"), Arguments.of("tcp", "nio"));
    }

    private record Served(HttpTransport transport, HttpListener listener, SocketAddress address) implements AutoCloseable {
        @Override
        public void close() {
            listener.close();
            transport.close();
        }
    }

    private Served serve(String kind, String transportName) throws IOException {
        HttpTransport transport = transportName.equals("nio") ? HttpTransport.startNio() : HttpTransport.start();
        assertEquals(transportName, transport.name(), "io_uring unavailable here: "
                + io.netty.channel.uring.IoUring.unavailabilityCause());
        HttpEndpoint echo = request -> new HttpResponse(200, "OK", Map.of("content-type", "text/plain"),
                (request.method() + " " + request.target() + " " + request.body().length).getBytes(StandardCharsets.UTF_8));
        if (kind.equals("unix")) {
            Path socket = dir.resolve("t.sock");
            return new Served(transport, HttpListener.unix(transport, socket, echo, ErrorBodies.PLAIN_TEXT, SETTINGS),
                    UnixDomainSocketAddress.of(socket));
        }
        HttpListener l = HttpListener.tcp(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), echo,
                ErrorBodies.PLAIN_TEXT, SETTINGS);
        return new Served(transport, l, new InetSocketAddress(InetAddress.getLoopbackAddress(), l.port()));
    }

    private static SocketChannel connect(SocketAddress address) throws IOException {
        SocketChannel ch = SocketChannel.open(address instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX
                : StandardProtocolFamily.INET);
        ch.connect(address);
        return ch;
    }

    /** Sends {@code request} and reads until the server closes (or 5 s pass). */
    private static String exchange(SocketAddress address, String request) throws IOException {
        try (SocketChannel ch = connect(address)) {
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            return readUntilClosed(ch, 5_000);
        }
    }

    private static String readUntilClosed(SocketChannel ch, long timeoutMs) throws IOException {
        ch.configureBlocking(false);
        StringBuilder sb = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            buf.clear();
            int n;
            try {
                n = ch.read(buf);
            } catch (IOException reset) {
                break;
            }
            if (n < 0) {
                return sb.toString();
            }
            if (n == 0) {
                sleep(5);
                continue;
            }
            sb.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
        }
        return sb + "<still open>";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long requestThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("podswitch-http-request"))
                .count();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("listeners")
    void refusalsAreClearAndNothingLeaks(String kind, String transport) throws Exception {
        try (Served s = serve(kind, transport)) {
            SocketAddress a = s.address();
            assertTrue(exchange(a, "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .startsWith("HTTP/1.1 200 OK"), "a plain request works");
            assertStatus(400, exchange(a, "HELLO\r\n\r\n"), "not HTTP");
            assertStatus(400, exchange(a, "GET /x HTTP/1.1\r\nBad Header\r\n\r\n"), "header without a colon");
            assertStatus(414, exchange(a, "GET /" + "a".repeat(2000) + " HTTP/1.1\r\n\r\n"), "request line too long");
            assertStatus(431, exchange(a, "GET /x HTTP/1.1\r\nX: " + "b".repeat(1500) + "\r\n\r\n"), "headers too large");
            StringBuilder many = new StringBuilder("GET /x HTTP/1.1\r\n");
            for (int i = 0; i < 12; i++) {
                many.append("X-").append(i).append(": y\r\n");
            }
            assertStatus(431, exchange(a, many + "\r\n"), "too many headers");
            assertStatus(411, exchange(a, "POST /x HTTP/1.1\r\nHost: t\r\n\r\n"), "POST without a length");
            assertStatus(413, exchange(a, "POST /x HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n{"),
                    "oversized body, refused before it is read");
            String chunk = Integer.toHexString(3000) + "\r\n" + "c".repeat(3000) + "\r\n";
            assertStatus(413, exchange(a, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk),
                    "chunked body over the limit");
            assertTrue(exchange(a, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n").contains("POST /x 5"), "a small chunked body is accepted");
            assertStatus(505, exchange(a, "GET /x HTTP/2.0\r\n\r\n"), "HTTP/2 on an HTTP/1 listener");
            // slow: a head that never completes gets 408 after the request timeout and the connection closes
            try (SocketChannel slow = connect(a)) {
                slow.write(ByteBuffer.wrap("GET /x HTTP/1.1\r\nHost:".getBytes(StandardCharsets.US_ASCII)));
                assertStatus(408, readUntilClosed(slow, 5_000), "slow request");
            }
            // idle: a connection that sends nothing is closed quietly after the idle timeout
            try (SocketChannel idle = connect(a)) {
                assertEquals("", readUntilClosed(idle, 5_000), "idle connection closed without an answer");
            }
            // keep-alive and pipelining: answers in order on one connection
            try (SocketChannel ch = connect(a)) {
                ch.write(ByteBuffer.wrap(("GET /one HTTP/1.1\r\nHost: t\r\n\r\nGET /two HTTP/1.1\r\nHost: t\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                String both = readUntilClosed(ch, 5_000);
                assertTrue(both.indexOf("GET /one 0") >= 0 && both.indexOf("GET /one 0") < both.indexOf("GET /two 0"), both);
            }
            // more connections than allowed: the surplus is closed at once, the others still work
            List<SocketChannel> held = new ArrayList<>();
            try {
                for (int i = 0; i < SETTINGS.maxConnections(); i++) {
                    held.add(connect(a));
                }
                waitFor(() -> s.listener().openConnections() == SETTINGS.maxConnections());
                try (SocketChannel extra = connect(a)) {
                    assertEquals("", readUntilClosed(extra, 5_000), "the surplus connection is closed");
                }
            } finally {
                for (SocketChannel ch : held) {
                    ch.close();
                }
            }
            waitFor(() -> s.listener().openConnections() == 0);
            waitFor(() -> requestThreads() == 0);
            assertEquals(0, s.listener().openConnections(), "every connection is closed");
        }
    }

    private static void assertStatus(int status, String answer, String what) {
        assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), what + ": " + answer);
        assertTrue(answer.toLowerCase().contains("connection: close"), what + " closes: " + answer);
        assertTrue(!answer.endsWith("<still open>"), what + ": the connection is closed");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            sleep(10);
        }
    }
}
