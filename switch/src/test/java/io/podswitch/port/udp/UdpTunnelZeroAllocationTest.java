package io.podswitch.port.udp;

import io.podswitch.graph.TestFrames;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.NativeException;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.udp;
import static io.podswitch.port.udp.UdpTestFrames.MAC_A;
import static io.podswitch.port.udp.UdpTestFrames.MAC_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dedicated thread pushes bursts of 32 frames through a dual-stack port A (sendmmsg, GSO runs and
 * single datagrams, IPv4 and IPv6) to port B on loopback and receives them there (recvmmsg, header
 * synthesis, the IPv6 UDP checksum, splitting UDP GRO-coalesced datagrams); after warm-up its allocated bytes must not grow. A late JIT
 * compile can allocate once, so up to four windows are measured and one clean window passes.
 */
class UdpTunnelZeroAllocationTest {
    static final int BURST = 32;
    static final int WARMUP = 300_000;
    static final int WINDOW = 200_000;
    static final int WINDOWS = 4;

    @Test
    void sendingAndReceivingAllocateNothing() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        try (FrameSlab slab = new FrameSlab(512); Arena arena = Arena.ofShared();
             UdpTunnelPort a = dualStack(1, "127.0.0.1"); UdpTunnelPort b = dualStack(2, "127.0.0.2")) {
            FrameCache cache = new FrameCache(new FramePool(slab), 128);
            int port = b.config().udpPort();
            // Four templates: v4 equal-size (GSO), v4 odd size, v6 equal-size (GSO), v6 odd size.
            byte[][] templates = {
                eth(MAC_B, MAC_A, 0x0800, ip4Packet(ip4("127.0.0.1"), ip4("127.0.0.2"), 64, 17, 0x4000, 0,
                        udp(50000, port, bytes(600, 1)))),
                eth(MAC_B, MAC_A, 0x0800, ip4Packet(ip4("127.0.0.1"), ip4("127.0.0.2"), 64, 17, 0x4000, 0,
                        udp(50001, port, bytes(77, 2)))),
                eth(MAC_B, MAC_A, 0x86dd, ip6Packet(ip6("::1"), ip6("::1"), 64, 17, udp(50002, port, bytes(600, 3)))),
                eth(MAC_B, MAC_A, 0x86dd, ip6Packet(ip6("::1"), ip6("::1"), 64, 17, udp(50003, port, bytes(91, 4)))),
            };
            MemorySegment[] offHeap = new MemorySegment[templates.length];
            for (int i = 0; i < templates.length; i++) {
                offHeap[i] = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, templates[i]);
            }
            long[] windows = new long[WINDOWS];
            Arrays.fill(windows, -1);
            long[] lost = new long[1];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    PacketVector out = new PacketVector(BURST);
                    PacketVector in = new PacketVector(BURST);
                    lost[0] += run(a, b, slab, cache, offHeap, out, in, WARMUP);
                    for (int w = 0; w < WINDOWS; w++) {
                        long before = threads.getCurrentThreadAllocatedBytes();
                        lost[0] += run(a, b, slab, cache, offHeap, out, in, WINDOW);
                        windows[w] = threads.getCurrentThreadAllocatedBytes() - before;
                        if (windows[w] == 0) {
                            break;
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "udp-zero-alloc");
            worker.start();
            worker.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(Arrays.stream(windows).anyMatch(w -> w == 0),
                    "allocated bytes per window of " + WINDOW + " packets: " + Arrays.toString(windows));
            assertEquals(0, lost[0], "datagrams lost on loopback");
            assertEquals(a.counters().txPackets(), b.counters().rxPackets());
            assertTrue(a.udpCounters().txGsoMessages() > 0);
            assertTrue(b.udpCounters().rxGroDatagrams() > 0, "the GRO split path ran");
        }
    }

    private static UdpTunnelPort dualStack(int id, String local4) {
        for (int attempt = 0; ; attempt++) {
            int port = LoopbackPorts.freePort(LoopbackPorts.address(local4));
            try {
                return UdpTunnelPort.open(id, new UdpTunnelPortConfig("zero" + id, LoopbackPorts.address(local4),
                        LoopbackPorts.address("::1"), port, LoopbackPorts.MAC, 1500, 1,
                        UdpTunnelPortConfig.DEFAULT_SOCKET_BUFFER_BYTES, true));
            } catch (NativeException e) {
                if (e.errno() != Errno.EADDRINUSE || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Sends and receives {@code packets} packets in bursts; returns how many never arrived. */
    private static long run(UdpTunnelPort a, UdpTunnelPort b, FrameSlab slab, FrameCache cache,
                            MemorySegment[] templates, PacketVector out, PacketVector in, int packets) {
        long lost = 0;
        MemorySegment memory = slab.memory();
        for (int sent = 0; sent < packets; sent += BURST) {
            for (int i = 0; i < BURST; i++) {
                // Runs of 8: equal-size v4, odd v4, equal-size v6, odd v6.
                MemorySegment t = templates[(i >>> 3) & 3];
                int f = cache.allocate();
                MemorySegment.copy(t, 0, memory, slab.dataStart(f), t.byteSize());
                slab.setLength(f, (int) t.byteSize());
                out.add(f);
            }
            int accepted = a.transmit(0, out, cache);
            int got = 0;
            for (int spin = 0; got < accepted && spin < 100_000; spin++) {
                got += b.receive(0, in, cache);
                cache.freeAll(in);
            }
            lost += BURST - got;
        }
        return lost;
    }
}
