package io.podswitch.port.tap;

import static io.podswitch.nativeio.NetnsFixture.quietly;
import static io.podswitch.nativeio.NetnsFixture.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.NetnsFixture;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two network namespaces, each with a TAP made by {@link TapPort} and moved in with rtnetlink, joined
 * by a forwarding thread that cross-connects the two ports: ARP/ND, ping, UDP, drops by reason, and a
 * zero-allocation check of the forwarding thread.
 */
@Tag("privileged")
class TapPortPrivilegedTest {
    private static final long MAC_A = 0x02_00_5e_00_00_0aL;
    private static final long MAC_B = 0x02_00_5e_00_00_0bL;

    private final String sfx = NetnsFixture.suffix();
    private final String nsA = "pstA" + sfx;
    private final String nsB = "pstB" + sfx;
    private final String tapA = "pst" + sfx + "a";
    private final String tapB = "pst" + sfx + "b";
    private int nsFdA = -1;
    private int nsFdB = -1;
    private FrameSlab slab;
    private FramePool pool;
    private TapPort portA;
    private TapPort portB;
    private Forwarder forwarder;

    /** The cross-connect: receive a burst on one port, transmit it on the other, both ways. */
    private static final class Forwarder implements Runnable {
        private final TapPort a;
        private final TapPort b;
        private final FrameCache cache;
        private final PacketVector vector = new PacketVector(64);
        private final BackoffIdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 200_000);
        private volatile boolean running = true;
        private final Thread thread;

        Forwarder(TapPort a, TapPort b, FramePool pool) {
            this.a = a;
            this.b = b;
            this.cache = new FrameCache(pool, 256);
            this.thread = Thread.ofPlatform().name("tap-forwarder").unstarted(this);
        }

        @Override
        public void run() {
            while (running) {
                int work = 0;
                int n = a.receive(0, vector, cache);
                if (n > 0) {
                    b.transmit(0, vector, cache);
                    work += n;
                }
                n = b.receive(0, vector, cache);
                if (n > 0) {
                    a.transmit(0, vector, cache);
                    work += n;
                }
                idle.idle(work);
            }
            cache.flush();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5_000);
        }
    }

    @BeforeEach
    void buildTopology() throws Exception {
        run("ip", "netns", "add", nsA);
        run("ip", "netns", "add", nsB);
        nsFdA = Netns.open(nsA);
        nsFdB = Netns.open(nsB);
        slab = new FrameSlab(2048);
        portA = TapPort.open(0, new TapPortConfig(tapA, 1500, MAC_A, false, 1));
        portB = TapPort.open(1, new TapPortConfig(tapB, 1500, MAC_B, false, 1));
        portA.moveToNetns(nsFdA, nsA);
        portB.moveToNetns(nsFdB, nsB);
        configure(nsFdA, nsA, tapA, "10.66.0.1", "fd66::1");
        configure(nsFdB, nsB, tapB, "10.66.0.2", "fd66::2");
        pool = new FramePool(slab);
        forwarder = new Forwarder(portA, portB, pool);
        forwarder.thread.start();
    }

    private static void configure(int nsFd, String ns, String tap, String v4, String v6) {
        Netns.run(nsFd, ns, () -> {
            try (Netlink nl = Netlink.open()) {
                nl.setLinkUp("lo");
                nl.addAddress(tap, InetAddress.getByName(v4), 24);
                nl.addAddress(tap, InetAddress.getByName(v6), 64);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (forwarder != null) {
                forwarder.stop();
            }
        } finally {
            if (portA != null) {
                portA.close();
            }
            if (portB != null) {
                portB.close();
            }
            Libc.close(nsFdA);
            Libc.close(nsFdB);
            quietly("ip", "netns", "del", nsA);
            quietly("ip", "netns", "del", nsB);
            if (slab != null) {
                slab.close();
            }
        }
        // Non-persistent TAPs vanish with their descriptors, wherever they were moved.
        try (Netlink nl = Netlink.open()) {
            assertTrue(nl.findLink(tapA).isEmpty() && nl.findLink(tapB).isEmpty(), "a TAP was left behind");
        }
    }

    @Test
    void pingUdpDropsAndZeroAllocation() throws Exception {
        run("ip", "netns", "exec", nsA, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.66.0.2");
        run("ip", "netns", "exec", nsA, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fd66::2");
        run("ip", "netns", "exec", nsB, "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.66.0.1");

        assertTrue(portA.counters().rxPackets() >= 6, "A rx " + portA.counters().rxPackets());
        assertTrue(portB.counters().txPackets() >= 6, "B tx " + portB.counters().txPackets());
        assertTrue(portB.counters().rxPackets() >= 6, "B rx " + portB.counters().rxPackets());

        udpEchoExchange();
        zeroAllocationWhileForwarding();
        oversizeFramesFromThePodAreCounted();

        for (PortDropReason r : new PortDropReason[] {PortDropReason.NO_FRAME, PortDropReason.IO_ERROR,
                PortDropReason.LINK_DOWN, PortDropReason.MALFORMED}) {
            assertEquals(0, portA.counters().drops(r), "A " + r);
            assertEquals(0, portB.counters().drops(r), "B " + r);
        }
    }

    /** Ten datagrams A → B, each echoed back B → A, over IPv4 and IPv6, sockets made inside the netns. */
    private void udpEchoExchange() throws Exception {
        for (String[] pair : new String[][] {{"10.66.0.1", "10.66.0.2"}, {"fd66::1", "fd66::2"}}) {
            InetSocketAddress aAddr = new InetSocketAddress(InetAddress.getByName(pair[0]), 40001);
            InetSocketAddress bAddr = new InetSocketAddress(InetAddress.getByName(pair[1]), 40002);
            StandardProtocolFamily family = pair[0].contains(":") ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            try (DatagramChannel a = Netns.call(nsFdA, nsA, () -> DatagramChannel.open(family).bind(aAddr));
                 DatagramChannel b = Netns.call(nsFdB, nsB, () -> DatagramChannel.open(family).bind(bAddr))) {
                long txBefore = portA.counters().txPackets();
                int echoed = 0;
                ByteBuffer buf = ByteBuffer.allocate(2048);
                for (int i = 0; i < 10; i++) {
                    a.send(ByteBuffer.wrap(("hello " + i).getBytes(StandardCharsets.UTF_8)), bAddr);
                    buf.clear();
                    InetSocketAddress from = (InetSocketAddress) receive(b, buf);
                    buf.flip();
                    b.send(buf, from);
                    buf.clear();
                    receive(a, buf);
                    buf.flip();
                    assertEquals("hello " + i, StandardCharsets.UTF_8.decode(buf).toString());
                    echoed++;
                }
                assertEquals(10, echoed);
                assertTrue(portA.counters().txPackets() - txBefore >= 10);
            }
        }
    }

    private static java.net.SocketAddress receive(DatagramChannel channel, ByteBuffer buf) throws Exception {
        channel.configureBlocking(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            java.net.SocketAddress from = channel.receive(buf);
            if (from != null) {
                return from;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no datagram within 5 s on " + channel.getLocalAddress());
    }

    /**
     * Blasts UDP from A to B and checks that the forwarding thread allocates nothing while it moves
     * 100k packets after a warm-up (ThreadMXBean per-thread allocation counter). Up to four measured
     * windows, passing on a clean one: in a fresh JVM the forwarding loop may still be waiting for its
     * C2 compilation (whose escape analysis removes the FFM errno-capture slice) after the warm-up, and
     * a late compile is not a data-path allocation; a real one shows in every window.
     */
    private void zeroAllocationWhileForwarding() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = forwarder.thread.threadId();
        InetSocketAddress bAddr = new InetSocketAddress(InetAddress.getByName("10.66.0.2"), 40009);
        try (DatagramChannel sink = Netns.call(nsFdB, nsB, () -> DatagramChannel.open(StandardProtocolFamily.INET).bind(bAddr));
             DatagramChannel a = Netns.call(nsFdA, nsA, () -> DatagramChannel.open(StandardProtocolFamily.INET))) {
            sink.configureBlocking(false);
            blast(a, bAddr, sink, 20_000); // warm-up: let the JIT compile the loop
            List<Long> windows = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                long before = mx.getThreadAllocatedBytes(tid);
                long forwardedBefore = portB.counters().txPackets();
                long t0 = System.nanoTime();
                blast(a, bAddr, sink, 100_000);
                long elapsed = System.nanoTime() - t0;
                long allocated = mx.getThreadAllocatedBytes(tid) - before;
                long forwarded = portB.counters().txPackets() - forwardedBefore;
                // Informational only (a paced single-socket sender, shared CPUs): never asserted.
                System.out.printf("forwarded %d packets in %d ms (%.0f pps), forwarding thread allocated %d bytes%n",
                        forwarded, elapsed / 1_000_000, forwarded * 1e9 / elapsed, allocated);
                assertTrue(forwarded >= 100_000, "forwarded only " + forwarded);
                windows.add(allocated);
                if (allocated == 0) {
                    break;
                }
            }
            assertTrue(windows.contains(0L), "forwarding thread allocated in every window of 100,000 packets: " + windows);
        }
    }

    /** Sends {@code count} datagrams, never more than a few hundred ahead of the forwarder. */
    private void blast(DatagramChannel a, InetSocketAddress to, DatagramChannel sink, int count) throws Exception {
        ByteBuffer payload = ByteBuffer.allocateDirect(64);
        ByteBuffer drain = ByteBuffer.allocateDirect(2048);
        long start = portB.counters().txPackets();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int sent = 0;
        while (portB.counters().txPackets() - start < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("forwarded " + (portB.counters().txPackets() - start) + " of " + count);
            }
            if (sent - (portB.counters().txPackets() - start) < 256) {
                payload.clear();
                a.send(payload, to);
                sent++;
            } else {
                Thread.onSpinWait();
            }
            drain.clear();
            while (sink.receive(drain) != null) {
                drain.clear();
            }
        }
    }

    /** A 3 KiB frame from the pod (after it raised its MTU) is dropped as OVERSIZE; the worker goes on. */
    private void oversizeFramesFromThePodAreCounted() throws Exception {
        long oversize = portA.counters().drops(PortDropReason.OVERSIZE);
        run("ip", "-n", nsA, "link", "set", tapA, "mtu", "4000");
        quietly("ip", "netns", "exec", nsA, "ping", "-c", "1", "-W", "1", "-s", "3000", "10.66.0.2");
        waitFor(() -> portA.counters().drops(PortDropReason.OVERSIZE) > oversize, "OVERSIZE drop (" + drops(portA) + ")");
        run("ip", "-n", nsA, "link", "set", tapA, "mtu", "1500");
        run("ip", "netns", "exec", nsA, "ping", "-c", "1", "-W", "2", "10.66.0.2");
    }

    /**
     * Transmit-side checks with the forwarder stopped (the test thread becomes the queue's only user):
     * a runt and an over-MTU frame are dropped and counted, a frame without headroom for the
     * virtio-net header still goes out (through writev with a separate header).
     */
    @Test
    void transmitDropsRuntsAndOversizeAndHandlesFramesWithoutHeadroom() throws Exception {
        forwarder.stop();
        FrameCache cache = new FrameCache(pool, 16);
        PacketVector v = new PacketVector(8);
        java.lang.foreign.MemorySegment mem = slab.memory();

        int runt = cache.allocate();
        slab.setLength(runt, 10);
        int big = cache.allocate();
        slab.setLength(big, 1600);
        int tight = cache.allocate();
        int cachedBefore = cache.cached();
        slab.setData(tight, 4, 60); // 4 bytes of headroom: the 12-byte header cannot go in front
        long at = slab.dataStart(tight);
        io.podswitch.packet.Bytes.mac(mem, at, 0xffffffffffffL);
        io.podswitch.packet.Bytes.mac(mem, at + 6, MAC_B);
        io.podswitch.packet.Bytes.u16(mem, at + 12, 0x88b5); // IEEE local experimental ethertype
        v.add(runt);
        v.add(big);
        v.add(tight);

        long rxBefore = Long.parseLong(run("ip", "netns", "exec", nsA, "cat",
                "/sys/class/net/" + tapA + "/statistics/rx_packets").trim());
        long txBefore = portA.counters().txPackets();
        assertEquals(1, portA.transmit(0, v, cache));
        assertEquals(0, v.size());
        assertEquals(1, portA.counters().drops(PortDropReason.MALFORMED));
        assertEquals(1, portA.counters().drops(PortDropReason.OVERSIZE));
        assertEquals(txBefore + 1, portA.counters().txPackets());
        long rxAfter = Long.parseLong(run("ip", "netns", "exec", nsA, "cat",
                "/sys/class/net/" + tapA + "/statistics/rx_packets").trim());
        assertEquals(rxBefore + 1, rxAfter, "the kernel side did not receive the writev frame");
        assertEquals(cachedBefore + 3, cache.cached(), "every frame must be back in the cache");
        cache.flush();
    }

    /**
     * With the forwarder stopped and every frame of the pool taken, packets from the pod are still
     * read (and discarded) and counted NO_FRAME; with the pod's interface down, a transmit is
     * counted LINK_DOWN. Nothing throws, every frame comes back.
     */
    @Test
    void exhaustedPoolAndDownLinkAreCountedNotThrown() throws Exception {
        forwarder.stop();
        FrameCache cache = new FrameCache(pool, 64);
        PacketVector held = new PacketVector(slab.frameCount());
        for (int f = cache.allocate(); f >= 0; f = cache.allocate()) {
            held.add(f);
        }
        assertEquals(slab.frameCount(), held.size());
        quietly("ip", "netns", "exec", nsA, "ping", "-c", "1", "-W", "1", "10.66.0.2");
        PacketVector v = new PacketVector(32);
        waitFor(() -> {
            assertEquals(0, portA.receive(0, v, cache));
            return portA.counters().drops(PortDropReason.NO_FRAME) > 0;
        }, "NO_FRAME drop");

        int frame = held.frame(held.size() - 1);
        held.truncate(held.size() - 1);
        slab.setLength(frame, 60);
        run("ip", "-n", nsA, "link", "set", tapA, "down");
        v.add(frame);
        assertEquals(0, portA.transmit(0, v, cache));
        assertEquals(1, portA.counters().drops(PortDropReason.LINK_DOWN));
        cache.freeAll(held);
        cache.flush();
        assertEquals(slab.frameCount(), pool.available(), "a frame went missing");
    }

    private static String drops(TapPort port) {
        StringBuilder s = new StringBuilder();
        for (PortDropReason r : PortDropReason.values()) {
            s.append(r).append('=').append(port.counters().drops(r)).append(' ');
        }
        return s.append("rx=").append(port.counters().rxPackets()).toString();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 5 s");
            }
            Thread.sleep(5);
        }
    }
}
