package io.podswitch.perf.bench.latency;

import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe's schedule over loopback in this JVM, against an echo thread. */
class RoundTripProbeTest {

    /**
     * A thread that waited on a {@code CompletableFuture} (as {@code NetnsThreads.call} does right before the
     * schedule starts) may still hold a park permit, so its next park returns at once. The probe must still
     * send no request before its due time: one sent early is answered before it, a negative latency that
     * HdrHistogram refuses (the bench's latency scenario failed so).
     */
    @Test
    void aLeftoverParkPermitDoesNotSendARequestBeforeItsDueTime() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket client = new DatagramSocket()) {
            Thread echoer = Thread.ofPlatform().daemon().name("probe-test-echo").start(() -> {
                byte[] buf = new byte[2048];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    while (true) {
                        p.setLength(buf.length);
                        echo.receive(p);
                        echo.send(p);
                    }
                } catch (java.io.IOException closed) {
                    // the test closed the socket
                }
            });
            client.connect(echo.getLocalSocketAddress());
            client.setSoTimeout(1000);

            LockSupport.unpark(Thread.currentThread()); // the permit a completed future leaves behind
            // 50 req/s for 100 ms: requests due 0, 20, 40, 60, 80 ms; each answered in microseconds over loopback
            RoundTripProbe.Result r = RoundTripProbe.measure(client, 50, Duration.ofMillis(100), Duration.ofSeconds(1));

            assertEquals(5, r.sent());
            assertEquals(0, r.lost());
            assertEquals(5, r.histogram().getTotalCount());
            assertTrue(r.histogram().getMinValue() >= 0, "latency from the due time: " + r.histogram().getMinValue());
            echo.close();
            echoer.join(1000);
        }
    }
}
