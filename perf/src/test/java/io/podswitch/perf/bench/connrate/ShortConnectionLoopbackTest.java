package io.podswitch.perf.bench.connrate;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client and server over loopback in this JVM: every connection answered, counted, timed; refusals counted. */
class ShortConnectionLoopbackTest {

    @Test
    void countAndTimedModesAgainstAServer() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 256, InetAddress.getLoopbackAddress())) {
            ShortConnectionServer server = new ShortConnectionServer(listener, "b7");
            for (int i = 0; i < 2; i++) {
                Thread.ofPlatform().daemon().start(server::serve);
            }
            ShortConnectionClient client = new ShortConnectionClient(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
            ConnectionRateResult counted = client.runCount(3, 50, 0);
            assertEquals(50, counted.ok(), counted.toString());
            assertEquals(Map.of("b7", 50L), counted.backends());
            assertTrue(counted.p50Micros() > 0 && counted.p99Micros() >= counted.p50Micros(), counted.toString());

            ConnectionRateResult sequential = client.runCount(1, 4, TimeUnit.MILLISECONDS.toNanos(1));
            assertEquals(4, sequential.ok(), "one at a time with idle gaps: " + sequential);

            ConnectionRateResult timed = client.runTimed(2, TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(300));
            assertTrue(timed.ok() > 0, timed.toString());
            assertTrue(timed.seconds() >= 0.3 && timed.seconds() < 10, "window runs to the last counted connection: " + timed);
            assertEquals(timed.ok(), timed.backends().get("b7"));
        }
    }

    @Test
    void aClosedPortCountsRefusals() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ConnectionRateResult r = new ShortConnectionClient(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .runCount(1, 5, 0);
        assertEquals(0, r.ok());
        assertEquals(5, r.refused(), r.toString());
    }
}
