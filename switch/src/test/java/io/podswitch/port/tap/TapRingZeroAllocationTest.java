package io.podswitch.port.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TAP I/O through a worker's io_uring allocates nothing: two pods exchange request/response datagrams
 * one at a time through a worker that reads them with armed multishot reads into provided frames and
 * writes the replies in batches, sleeping (adaptive idling) between packets. After a warm-up of 20,000
 * exchanges, the worker thread's allocated bytes do not grow over 5,000 more, in one of up to four
 * windows (a late C2 compile may land in one window; a real allocation shows in every one). Runs in a
 * JVM of its own like every zero-allocation proof.
 */
@Tag("privileged")
class TapRingZeroAllocationTest {
    private static final int ECHO_PORT = 7108;

    private static long allocatedBytes(Thread thread) {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(thread.threadId());
    }

    @Test
    void readsAndWritesThroughTheRingAllocateNothing() throws Exception {
        try (RingWorkerPods r = new RingWorkerPods("psz", false);
             DatagramChannel server = r.pods.udp(false, ECHO_PORT);
             DatagramChannel client = r.pods.udp(true, 41200)) {
            r.sync();
            assertNull(r.worker.ringRefused(), "the worker has a ring");
            assertTrue(r.pods.portA().readsThroughRing(0), "pod A's TAP is read through it");
            RingWorkerPods.startEcho(server);
            InetSocketAddress to = new InetSocketAddress(TapPodPair.IP_B, ECHO_PORT);
            assertEquals(20_000, RingWorkerPods.exchange(client, to, 20_000, 0), "warm-up: every request answered");
            Thread thread = r.group.threads().getFirst();
            List<Long> windows = new ArrayList<>();
            boolean clean = false;
            for (int window = 0; window < 4 && !clean; window++) {
                long before = allocatedBytes(thread);
                assertEquals(5_000, RingWorkerPods.exchange(client, to, 5_000, 100_000 * (window + 1)));
                long allocated = allocatedBytes(thread) - before;
                windows.add(allocated);
                clean = allocated == 0;
            }
            assertTrue(clean, "bytes the worker allocated per window of 5,000 exchanges: " + windows);
        }
    }
}
