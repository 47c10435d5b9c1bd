package io.podswitch.perf.bench.scenario;

import io.podswitch.perf.topo.NetnsThreads;
import io.podswitch.perf.topo.Topology;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics scenario's scraper reaches a /metrics that listens only inside a namespace (so its socket is
 * the namespace's, not the host's), scrapes it repeatedly, and reports an unreachable /metrics.
 */
@Tag("privileged")
class NetnsScraperTest {

    @Test
    void scrapesAMetricsEndpointThatListensOnlyInsideTheNamespace() throws Exception {
        try (Topology t = Topology.create()) {
            String ns = t.netns("scrape");
            ServerSocket server = NetnsThreads.call(ns, () ->
                    new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            Thread answering = Thread.ofPlatform().daemon().start(() -> answer(server));
            try (server; NetnsScraper scraper = NetnsScraper.start(ns, server.getLocalPort(), Duration.ofMillis(100))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (scraper.scrapes() < 3 && System.nanoTime() < deadline) {
                    scraper.check();
                    Thread.sleep(50);
                }
                scraper.check();
                assertTrue(scraper.scrapes() >= 3, scraper.scrapes() + " scrapes");
            }
            answering.join(5000);
        }
    }

    @Test
    void anUnreachableMetricsEndpointIsReported() throws Exception {
        try (Topology t = Topology.create()) {
            String ns = t.netns("noscrape");
            int port;
            try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            try (NetnsScraper scraper = NetnsScraper.start(ns, port, Duration.ofMillis(100))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                IOException failure = null;
                while (failure == null && System.nanoTime() < deadline) {
                    try {
                        scraper.check();
                        Thread.sleep(50);
                    } catch (IOException e) {
                        failure = e;
                    }
                }
                assertTrue(failure != null && failure.getMessage().contains("scraping /metrics in " + ns + " failed"),
                        String.valueOf(failure));
                assertThrows(IOException.class, scraper::check, "a failure stays reported");
            }
        }
    }

    private static void answer(ServerSocket server) {
        byte[] ok = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
                + "up 1\n# EOF\n").getBytes(StandardCharsets.US_ASCII);
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                byte[] buf = new byte[4096];
                StringBuilder head = new StringBuilder();
                int n;
                while (!head.toString().contains("\r\n\r\n") && (n = s.getInputStream().read(buf)) > 0) {
                    head.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
                }
                if (head.toString().startsWith("GET /metrics ")) {
                    s.getOutputStream().write(ok);
                }
            } catch (IOException closed) {
                // the test closed the server socket, or a client went away
            }
        }
    }
}
