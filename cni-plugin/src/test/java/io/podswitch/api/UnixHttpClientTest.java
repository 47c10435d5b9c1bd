package io.podswitch.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.api.http.HttpClientException;
import io.podswitch.api.http.HttpLimits;
import io.podswitch.api.http.HttpParseException;
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
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against raw socket peers that misbehave in ways a real daemon might. */
class UnixHttpClientTest {
    @TempDir
    Path dir;

    private static final long SECOND = 1_000_000_000L;
    private int counter;

    private HttpResponse exchangeWith(String answer, boolean closeAfter, long timeoutNanos) throws Exception {
        Path sock = dir.resolve("s" + (counter++) + ".sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread peer = Thread.ofPlatform().start(() -> {
                try (SocketChannel ch = server.accept()) {
                    ch.read(ByteBuffer.allocate(65536));
                    ch.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.ISO_8859_1)));
                    if (!closeAfter) {
                        Thread.sleep(3_000);
                    }
                } catch (IOException | InterruptedException ignored) {
                    // test peer ends
                }
            });
            try {
                UnixHttpClient client = new UnixHttpClient(sock, SECOND, HttpLimits.DEFAULT);
                return client.exchange(HttpRequest.postJson("/v1/cni/add", "{}"), System.nanoTime() + timeoutNanos);
            } finally {
                peer.interrupt();
                peer.join();
            }
        }
    }

    @Test
    void readsAResponseFramedByLengthOrByClose() throws Exception {
        assertEquals("{\"ok\":1}", exchangeWith("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n{\"ok\":1}", false,
                2 * SECOND).bodyText());
        assertEquals("{}", exchangeWith("HTTP/1.1 200 OK\r\n\r\n{}", true, 2 * SECOND).bodyText());
    }

    @Test
    void partialResponseTimesOut() {
        long start = System.nanoTime();
        HttpClientException e = assertThrows(HttpClientException.class,
                () -> exchangeWith("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", false, SECOND / 2));
        assertEquals(HttpClientException.Kind.TIMEOUT, e.kind());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 450 && ms < 2_500, "took " + ms + " ms");
    }

    /**
     * Both are BROKEN, but told apart by the cause: garbage is a parse error (a foreign process or a
     * daemon bug: the plugin reports 5); an answer cut short or none at all (the daemon died while
     * answering — the churn soak's kill -9 found this) has no parse cause (the plugin reports 11, retry).
     */
    @Test
    void garbageIsMalformedWhileAnAnswerCutShortIsABrokenConnection() {
        HttpClientException e = assertThrows(HttpClientException.class,
                () -> exchangeWith("SSH-2.0-OpenSSH\r\n\r\n", true, SECOND));
        assertEquals(HttpClientException.Kind.BROKEN, e.kind());
        assertTrue(e.getCause() instanceof HttpParseException, String.valueOf(e.getCause()));
        for (String cut : new String[] {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{", "HTTP/1.1 200", ""}) {
            e = assertThrows(HttpClientException.class, () -> exchangeWith(cut, true, SECOND));
            assertEquals(HttpClientException.Kind.BROKEN, e.kind());
            assertEquals(null, e.getCause(), "'" + cut + "': " + e.getMessage());
            assertTrue(e.getMessage().contains("closed before the answer was complete"), e.getMessage());
        }
    }

    @Test
    void missingSocketIsUnreachable() {
        UnixHttpClient client = new UnixHttpClient(dir.resolve("none.sock"), SECOND, HttpLimits.DEFAULT);
        HttpClientException e = assertThrows(HttpClientException.class,
                () -> client.exchange(HttpRequest.postJson("/", "{}"), System.nanoTime() + SECOND));
        assertEquals(HttpClientException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("none.sock"), e.getMessage());
    }
}
