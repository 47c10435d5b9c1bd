package io.podswitch.overlay;

import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import static io.podswitch.overlay.OverlayFixture.LOCAL_MAC;
import static io.podswitch.overlay.OverlayFixture.REMOTE_MAC;
import static io.podswitch.overlay.OverlayFixture.inner;
import static io.podswitch.overlay.OverlayFixture.load;
import static io.podswitch.overlay.OverlayFixture.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dedicated thread encapsulates and decapsulates 5 million packets over all 8 combinations, half of
 * them marked as TCP super-frames and wrapped whole ({@link Encapsulator#encapsulateSuperFrame}, the
 * {@code tap} uplink's path; the decapsulator moves their offload state back onto the inner frame); after
 * warm-up its allocated bytes must not grow. A late JIT compile on a loaded machine can allocate once,
 * so up to four windows are measured and one clean window passes; a per-packet allocation fails all.
 */
class OverlayZeroAllocationTest {
    static final int WARMUP = 1_000_000;
    static final int WINDOW = 1_000_000;
    static final int WINDOWS = 4;

    @Test
    void encapsulationAndDecapsulationAllocateNothing() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        try (FrameSlab slab = new FrameSlab(4, FrameSlab.DEFAULT_FRAME_SIZE, FrameSlab.DEFAULT_HEADROOM, 2,
                FrameSlab.DEFAULT_LARGE_FRAME_SIZE)) {
            // Node A sends to four peers (mode x outer family); node B has the mirrored entries.
            PeerTable a = new PeerTable(4);
            PeerTable b = new PeerTable(4);
            int id = 0;
            for (TunnelMode mode : TunnelMode.values()) {
                int local4 = Ip4.address(192, 0, 2, 10 + id);
                int remote4 = Ip4.address(198, 51, 100, 10 + id);
                a.put(TunnelPeer.ip4(id, "v4-" + id, mode, 100 + id, mode.defaultPort(), LOCAL_MAC, REMOTE_MAC,
                        local4, remote4));
                b.put(TunnelPeer.ip4(id, "v4-" + id, mode, 100 + id, mode.defaultPort(), REMOTE_MAC, LOCAL_MAC,
                        remote4, local4));
                id++;
                long[] local6 = Ip6.parse("2001:db8:a::" + id);
                long[] remote6 = Ip6.parse("2001:db8:b::" + id);
                a.put(TunnelPeer.ip6(id, "v6-" + id, mode, 100 + id, mode.defaultPort(), LOCAL_MAC, REMOTE_MAC,
                        local6, remote6));
                b.put(TunnelPeer.ip6(id, "v6-" + id, mode, 100 + id, mode.defaultPort(), REMOTE_MAC, LOCAL_MAC,
                        remote6, local6));
                id++;
            }
            OverlayCounters countersA = new OverlayCounters(a);
            OverlayCounters countersB = new OverlayCounters(b);
            Encapsulator encap = new Encapsulator(slab, a, countersA);
            Decapsulator decap = new Decapsulator(slab, b, countersB);
            byte[] inner4 = inner(false, 1111, 2222);
            byte[] inner6 = inner(true, 3333, 4444);
            load(slab, 0, inner4);
            load(slab, 1, inner6);
            // Frames 2 and 3: the same inner frames as super-frames (neither side reads the inner transport).
            load(slab, 2, inner4);
            load(slab, 3, inner6);
            slab.setChecksumOffload(2, FrameSlab.NEEDS_CSUM, 34, 16);
            slab.setGso(2, FrameSlab.GSO_TCPV4, 1400, 54);
            slab.setChecksumOffload(3, FrameSlab.NEEDS_CSUM, 54, 16);
            slab.setGso(3, FrameSlab.GSO_TCPV6, 1400, 74);

            long[] windows = new long[WINDOWS];
            Arrays.fill(windows, -1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    run(encap, decap, WARMUP);
                    for (int w = 0; w < WINDOWS; w++) {
                        long before = threads.getCurrentThreadAllocatedBytes();
                        run(encap, decap, WINDOW);
                        windows[w] = threads.getCurrentThreadAllocatedBytes() - before;
                        if (windows[w] == 0) {
                            break;
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "overlay-zero-alloc");
            worker.start();
            worker.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(Arrays.stream(windows).anyMatch(w -> w == 0),
                    "allocated bytes per window of " + WINDOW + " packets: " + Arrays.toString(windows));
            assertArrayEquals(inner4, read(slab, 0));
            assertArrayEquals(inner6, read(slab, 1));
            assertArrayEquals(inner4, read(slab, 2));
            assertArrayEquals(inner6, read(slab, 3));
            assertEquals(FrameSlab.GSO_TCPV4, slab.gsoType(2));
            assertEquals(FrameSlab.GSO_TCPV6, slab.gsoType(3));
            assertEquals(54, slab.csumStart(3));
            assertEquals(FrameSlab.NEEDS_CSUM, slab.offloadFlags(3));
            long total = 0;
            for (int p = 0; p < 4; p++) {
                assertEquals(countersA.encapPackets(p), countersB.decapPackets(p));
                total += countersB.decapPackets(p);
            }
            assertEquals(WARMUP + Arrays.stream(windows).filter(w -> w >= 0).count() * WINDOW, total);
        }
    }

    /**
     * Round trips {@code packets} packets: frame i % 4 (inner v4 or v6, plain or super-frame) through peer
     * (i / 4) % 4.
     */
    private static void run(Encapsulator encap, Decapsulator decap, int packets) {
        for (int i = 0; i < packets; i++) {
            int frame = i & 3;
            int peer = (i >>> 2) & 3;
            boolean wrapped = frame < 2 ? encap.encapsulate(frame, peer) : encap.encapsulateSuperFrame(frame, peer);
            if (!wrapped || decap.decapsulate(frame) != peer) {
                throw new IllegalStateException("round trip failed at packet " + i);
            }
        }
    }
}
