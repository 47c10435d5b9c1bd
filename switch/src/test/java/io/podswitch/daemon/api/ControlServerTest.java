package io.podswitch.daemon.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpRequest;
import io.podswitch.api.http.HttpResponse;
import io.podswitch.api.http.UnixHttpClient;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport alone (no switch behind it): framing errors, malformed bodies, socket file handling. */
class ControlServerTest {
    @TempDir
    Path dir;

    private HttpResponse exchange(Path socket, HttpRequest request) throws Exception {
        return new UnixHttpClient(socket, TimeUnit.SECONDS.toNanos(2), HttpLimits.DEFAULT)
                .exchange(request, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }

    private static String raw(Path socket, String request) throws IOException {
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            raw.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer answer = ByteBuffer.allocate(4096);
            raw.read(answer);
            return new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void malformedRequestsGetJsonErrors() throws Exception {
        Path socket = dir.resolve("d.sock");
        try (ControlThread control = new ControlThread();
             ControlServer server = ControlServer.start(socket, new ControlApi(control, null))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            HttpResponse r = exchange(socket, HttpRequest.postJson("/v1/cni/add", "[1,"));
            assertEquals(400, r.status());
            assertTrue(r.bodyText().contains("\"code\":6"), r.bodyText());
            r = exchange(socket, HttpRequest.postJson("/v1/cni/del", "{\"cniVersion\":1}"));
            assertEquals(400, r.status());
            assertTrue(r.bodyText().contains("\"code\":7"), r.bodyText());
            assertTrue(raw(socket, "POST /v1/cni/add HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n{")
                    .startsWith("HTTP/1.1 413"), "oversized body refused before it is read");
            r = exchange(socket, new HttpRequest("GET", "/v2/whatever", java.util.Map.of(), null));
            assertEquals(404, r.status());
            r = exchange(socket, HttpRequest.postJson("/v1/pods", "{}"));
            assertEquals(405, r.status());
            assertTrue(raw(socket, "HELLO\r\n\r\n").startsWith("HTTP/1.1 4"), "garbage that is not HTTP");
        }
        assertTrue(!Files.exists(socket), "the socket file is removed on close");
    }

    @Test
    void staleSocketIsReplacedButALiveOneIsNot() throws Exception {
        Path socket = dir.resolve("d.sock");
        // a socket file nobody listens on (a crashed daemon's)
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        try (ControlThread control = new ControlThread();
             ControlServer server = ControlServer.start(socket, new ControlApi(control, null))) {
            IOException e = assertThrows(IOException.class, () -> ControlServer.start(socket, new ControlApi(control, null)));
            assertTrue(e.getMessage().contains("another podswitchd"), e.getMessage());
            assertEquals(404, exchange(socket, new HttpRequest("GET", "/nope", java.util.Map.of(), null)).status());
        }
        assertFalse(Files.exists(socket), "removed on close");
    }

    /**
     * A SIGKILLed daemon's socket still accepts connections until the kernel has torn down the dead process's
     * io_uring (measured: ~0.2 s after the process is gone on an idle machine). A daemon restarted meanwhile
     * must not take that for a live daemon (it would refuse to start), and a client after its start must
     * reach the new daemon, not the dying socket (whose queued connections are reset).
     */
    @Test
    void aSocketThatStillAcceptsButWhoseDaemonIsGoneIsReplaced() throws Exception {
        Path socket = dir.resolve("k.sock");
        try (ServerSocketChannel dying = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dying.bind(UnixDomainSocketAddress.of(socket)); // listening, never accepting, no lock held
            try (SocketChannel queued = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                assertTrue(queued.isConnected(), "the dying socket accepts connections");
            }
            try (ControlThread control = new ControlThread();
                 ControlServer server = ControlServer.start(socket, new ControlApi(control, null))) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(404, exchange(socket, new HttpRequest("GET", "/nope", java.util.Map.of(), null)).status(),
                            "the new daemon answers, request " + i);
                }
            }
        }
    }
}
