package io.podswitch.port.afxdp;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.podswitch.nativeio.XdpLink;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The AF_XDP forwarding loop allocates nothing: after warm-up, the forwarder thread's allocated
 * bytes do not grow while it forwards 100,000 packets (in one of up to four windows, see below).
 */
@Tag("privileged")
class AfXdpZeroAllocationTest {
    private static final long SLACK_BYTES = 1024;

    @Test
    void forwardingDoesNotAllocate() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (VethNamespaces net = new VethNamespaces(); FrameSlab slab = new FrameSlab(4096)) {
            VethNamespaces.Side a = net.add('a', 1, 1);
            VethNamespaces.Side b = net.add('b', 2, 1);
            FramePool pool = new FramePool(slab);
            var umem = SlabUmem.over(slab);
            try (AfXdpPort pa = new AfXdpPort(1, AfXdpPortConfig.of(a.rootInterface()).withAttachMode(XdpLink.Mode.AUTO), umem, pool);
                 AfXdpPort pb = new AfXdpPort(2, AfXdpPortConfig.of(b.rootInterface()).withAttachMode(XdpLink.Mode.AUTO), umem, pool)) {
                CrossConnect fwd = new CrossConnect(pa, pb, pool).start();
                try {
                    net.inNamespace(a, "ping", "-c", "2", "-i", "0.2", "-W", "2", b.ip4());
                    // Warm-up: the interpreter and C1 allocate while the loop climbs the JIT tiers
                    // (measured: ~280 KB, ~70 KB, ~45 KB in the first rounds of 50,000 packets, then
                    // nothing; slower on a loaded machine). Warm up until a round allocates nothing.
                    long threadId = fwd.thread().threadId();
                    for (int round = 0; round < 12; round++) {
                        long start = threads.getThreadAllocatedBytes(threadId);
                        flood(net, a, b, 40_000);
                        awaitQuiet(fwd);
                        if (threads.getThreadAllocatedBytes(threadId) == start) {
                            break;
                        }
                    }
                    // Up to four measured windows of 100,000 packets, passing on a clean one: on a
                    // loaded machine the loop can still be waiting for C2 (or be deoptimized and
                    // briefly interpreted, where the FFM errno-capture slice is not scalar-replaced)
                    // after the warm-up. A late compile is not a data-path allocation; a real one,
                    // however small, shows in every window (>1,500 bursts of at most 64 packets
                    // each: one allocation per burst would exceed 16 KB).
                    List<String> windows = new ArrayList<>();
                    for (int w = 0; w < 4; w++) {
                        long before = threads.getThreadAllocatedBytes(threadId);
                        long forwarded = forward(net, a, b, fwd, 100_000);
                        long allocated = threads.getThreadAllocatedBytes(threadId) - before;
                        assertTrue(forwarded >= 100_000, "forwarded " + forwarded);
                        windows.add(allocated + " B / " + forwarded + " packets");
                        if (allocated < SLACK_BYTES) {
                            System.out.println("AfXdpZeroAllocationTest windows: " + windows);
                            return;
                        }
                    }
                    fail("the forwarder allocated in every window: " + windows);
                } finally {
                    fwd.stop();
                }
            }
        }
    }

    /**
     * Floods until {@code packets} went through: on a loaded machine the kernel drops part of an
     * unpaced flood (fill ring empty while the forwarder is descheduled).
     * @return how many packets the forwarder moved
     */
    private static long forward(VethNamespaces net, VethNamespaces.Side a, VethNamespaces.Side b, CrossConnect fwd,
            int packets) throws InterruptedException {
        long forwardedBefore = fwd.forwarded();
        for (int round = 0; round < 10 && fwd.forwarded() - forwardedBefore < packets; round++) {
            flood(net, a, b, 40_000);
            awaitQuiet(fwd);
        }
        return fwd.forwarded() - forwardedBefore;
    }

    /** Sends {@code count} small UDP datagrams from a to b (python3, as fast as it goes). */
    private static void flood(VethNamespaces net, VethNamespaces.Side from, VethNamespaces.Side to, int count) {
        net.inNamespace(from, "python3", "-c", "import socket\n"
                + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                + "a=('" + to.ip4() + "',9)\n"
                + "p=b'x'*18\n"
                + "for _ in range(" + count + "): s.sendto(p,a)\n");
    }

    /** Waits until the forwarder has seen no packet for 200 ms. */
    private static void awaitQuiet(CrossConnect fwd) throws InterruptedException {
        long last = -1;
        while (fwd.forwarded() != last) {
            last = fwd.forwarded();
            Thread.sleep(200);
        }
    }
}
