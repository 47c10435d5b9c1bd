package io.podswitch.port.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.worker.RxQueueCommand;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two pods cabled by a worker whose TAP I/O goes through its io_uring ({@link RingWorkerPods}: multishot
 * reads into provided frames, writes batched per burst, the worker sleeping between packets):
 * request/response both ways; a queue given up (its armed read cancelled: nothing of it is read) and
 * taken again; TCP super-frames between offloading TAPs read and written whole. The pair checks at the
 * end that no TAP is left — a read left armed would keep a TAP alive. {@link TapRingZeroAllocationTest}
 * proves the path allocates nothing.
 */
@Tag("privileged")
class TapRingPrivilegedTest {
    private static final int ECHO_PORT = 7107;

    @Test
    void requestsAndRepliesGoThroughTheRingAndAQueueGivenUpIsReleased() throws Exception {
        try (RingWorkerPods r = new RingWorkerPods("psr", false);
             DatagramChannel server = r.pods.udp(false, ECHO_PORT);
             DatagramChannel client = r.pods.udp(true, 41100)) {
            r.sync();
            assertNull(r.worker.ringRefused(), "the worker has a ring");
            assertTrue(r.pods.portA().readsThroughRing(0) && r.pods.portB().readsThroughRing(0), "both TAPs are read through it");
            RingWorkerPods.startEcho(server);
            InetSocketAddress to = new InetSocketAddress(TapPodPair.IP_B, ECHO_PORT);
            assertEquals(2_000, RingWorkerPods.exchange(client, to, 2_000, 0), "every request answered, both ways through the ring");
            // Give pod A's queue up: its armed read is cancelled, nothing of A is read any more ...
            r.run(RxQueueCommand.remove(r.pods.portA(), 0));
            assertFalse(r.pods.portA().readsThroughRing(0), "the queue's ring reader is gone");
            assertEquals(0, RingWorkerPods.exchange(client, to, 1, 900_000, 1_000_000_000L),
                    "a request from A is not read while nobody polls A (1 s: an answer would be a bug, not a delay)");
            // ... and take it again: a new read is armed and the queue's packets flow again.
            r.run(RxQueueCommand.add(r.pods.portA(), 0));
            assertTrue(r.pods.portA().readsThroughRing(0));
            assertEquals(5, RingWorkerPods.exchange(client, to, 5, 910_000), "requests answered again after the queue came back");
        }
    }

    @Test
    void tcpSuperFramesCrossOffloadingTapsThroughTheRing() throws Exception {
        long bytes = 64L << 20;
        AtomicLong received = new AtomicLong();
        long rxLarge;
        long txLarge;
        try (RingWorkerPods r = new RingWorkerPods("pst", true); ServerSocketChannel listener = r.pods.tcpListenerInB(5301)) {
            r.sync();
            assertNull(r.worker.ringRefused(), "the worker has a ring");
            Thread sink = Thread.ofPlatform().daemon().start(() -> {
                try (SocketChannel s = listener.accept()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                    int n;
                    while ((n = s.read(buf)) >= 0) {
                        received.addAndGet(n);
                        buf.clear();
                    }
                } catch (java.io.IOException e) {
                    // reported by the byte count
                }
            });
            try (SocketChannel c = r.pods.tcpFromA(5301)) {
                ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                for (long sent = 0; sent < bytes; sent += chunk.capacity()) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        c.write(chunk);
                    }
                }
            }
            sink.join(RingWorkerPods.HANG_SECONDS * 1000L); // a hang bound; the byte count below is the check
            rxLarge = r.pods.portA().offloadCounters().largeReceived();
            txLarge = r.pods.portB().offloadCounters().largeTransmitted();
        }
        System.out.printf("ring, TCP %d MiB A -> B: super-frames read from A %d, written to B %d%n", bytes >> 20, rxLarge, txLarge);
        assertEquals(bytes, received.get(), "every byte crossed");
        assertTrue(rxLarge > 0, "super-frames were read whole through the ring");
        assertTrue(txLarge > 0, "... and written whole");
    }
}
