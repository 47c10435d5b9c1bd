package io.podswitch.port.udp;

import io.podswitch.graph.TestFrames;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.NativeException;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.udp;
import static io.podswitch.port.udp.UdpTestFrames.MAC_A;
import static io.podswitch.port.udp.UdpTestFrames.MAC_B;
import static io.podswitch.port.udp.UdpTestFrames.load;
import static io.podswitch.port.udp.UdpTestFrames.read;
import static io.podswitch.port.udp.UdpTestFrames.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real sockets on loopback (no privileges): bursts through sendmmsg/recvmmsg, the synthesised frame
 * as sent, UDP GSO grouping, truncation, an empty pool, and bad frames dropped and counted (never
 * thrown) with every frame back in the pool.
 */
class UdpTunnelPortLoopbackTest {
    static byte[] outer4(int destinationPort, int size, int seed) {
        return eth(MAC_B, MAC_A, 0x0800, ip4Packet(ip4("127.0.0.1"), ip4("127.0.0.2"), 64, 17, 0x4000, 0,
                udp(50000 + seed, destinationPort, bytes(size, seed))));
    }

    static byte[] outer6(int destinationPort, int size, int seed) {
        return eth(MAC_B, MAC_A, 0x86dd, ip6Packet(ip6("::1"), ip6("::1"), 64, 17,
                udp(50000 + seed, destinationPort, bytes(size, seed))));
    }

    private static void send(UdpTunnelPort port, FrameCache cache, byte[]... frames) {
        PacketVector v = new PacketVector();
        for (byte[] frame : frames) {
            int f = cache.allocate();
            load(cache.slab(), f, frame);
            v.add(f);
        }
        port.transmit(0, v, cache);
        assertTrue(v.isEmpty());
    }

    @Test
    void ip4BurstArrivesAsTheSentFramesWithSynthesisedHeaders() {
        try (FrameSlab slab = new FrameSlab(512); UdpTunnelPort a = LoopbackPorts.open(1, "127.0.0.1", false);
             UdpTunnelPort b = LoopbackPorts.open(2, "127.0.0.2", false)) {
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 64);
            int port = b.config().udpPort();
            byte[][] frames = new byte[100][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = outer4(port, 10 + i * 13, i);
            }
            send(a, cache, frames);
            assertEquals(100, a.counters().txPackets());
            assertEquals(1, a.udpCounters().txSyscalls(), "one sendmmsg per burst");
            // The kernel reports twice the requested size (its bookkeeping share).
            assertTrue(io.podswitch.nativeio.Sockets.getInt(b.fd(0, false), io.podswitch.nativeio.Sockets.SOL_SOCKET,
                    io.podswitch.nativeio.Sockets.SO_RCVBUF, "SO_RCVBUF", "test") >= UdpTunnelPortConfig.DEFAULT_SOCKET_BUFFER_BYTES);

            PacketVector in = new PacketVector();
            LoopbackPorts.receive(b, in, cache, 100);
            assertEquals(100, in.size());
            for (int i = 0; i < frames.length; i++) {
                byte[] expected = frames[i].clone();
                for (int k = 0; k < 6; k++) {
                    expected[6 + k] = (byte) (OuterHeaderSynthesizer.UNDERLAY_MAC >>> (40 - 8 * k));
                }
                int sourcePort = a.config().udpPort();
                expected[34] = (byte) (sourcePort >>> 8); // the kernel sends from the bound port
                expected[35] = (byte) sourcePort;
                expected[14 + 10] = 0;
                expected[14 + 11] = 0;
                int c = TestFrames.checksum(expected, 14, 20, 0);
                expected[14 + 10] = (byte) (c >>> 8);
                expected[14 + 11] = (byte) c;
                assertArrayEquals(expected, read(slab, in.frame(i)), "datagram " + i);
                assertEquals(2, slab.inPort(in.frame(i)));
            }
            assertEquals(100, b.counters().rxPackets());
            long bytes = 0;
            for (byte[] f : frames) {
                bytes += f.length;
            }
            assertEquals(bytes, a.counters().txBytes());
            assertEquals(bytes, b.counters().rxBytes());
            cache.freeAll(in);
        }
    }

    @Test
    void ip6DatagramsGetAValidUdpChecksum() {
        try (FrameSlab slab = new FrameSlab(256); UdpTunnelPort a = LoopbackPorts.open(1, "::1", false);
             UdpTunnelPort b = LoopbackPorts.open(2, "::1", false)) {
            FrameCache cache = new FrameCache(new FramePool(slab), 64);
            byte[][] frames = new byte[20][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = outer6(b.config().udpPort(), 1 + i * 71, i);
            }
            send(a, cache, frames);
            PacketVector in = new PacketVector();
            LoopbackPorts.receive(b, in, cache, 20);
            assertEquals(20, in.size());
            for (int i = 0; i < frames.length; i++) {
                byte[] got = read(slab, in.frame(i));
                assertEquals(frames[i].length, got.length);
                assertEquals(0x86dd, u16(got, 12));
                assertEquals(a.config().udpPort(), u16(got, 54));
                assertEquals(b.config().udpPort(), u16(got, 56));
                int udpLength = u16(got, 58);
                assertEquals(got.length - 54, udpLength);
                assertTrue(u16(got, 60) != 0, "IPv6 UDP checksum present");
                long pseudo = TestFrames.pseudo6(ip6("::1"), ip6("::1"), udpLength, 17);
                assertEquals(0, TestFrames.checksum(got, 54, udpLength, pseudo), "IPv6 UDP checksum valid");
                assertArrayEquals(TestFrames.slice(frames[i], 62, frames[i].length), TestFrames.slice(got, 62, got.length));
            }
            cache.freeAll(in);
        }
    }

    @Test
    void equalSizedRunsToOneDestinationGoAsOneGsoMessage() {
        try (FrameSlab slab = new FrameSlab(512); UdpTunnelPort a = LoopbackPorts.open(1, "127.0.0.1", true);
             UdpTunnelPort b = LoopbackPorts.open(2, "127.0.0.2", false);
             UdpTunnelPort c = LoopbackPorts.open(3, "127.0.0.3", false)) {
            FrameCache cache = new FrameCache(new FramePool(slab), 64);
            assertTrue(a.gsoActive(false), "kernel without UDP_SEGMENT (Linux < 4.18)?");
            int pb = b.config().udpPort();
            int pc = c.config().udpPort();
            byte[][] frames = new byte[36][];
            for (int i = 0; i < 30; i++) {
                frames[i] = outer4(pb, 1000, i);      // one message of 30
            }
            frames[30] = outer4(pb, 400, 30);        // shorter: ends that message as its 31st segment
            frames[31] = outer4(pb, 1000, 31);       // new message (single)
            for (int i = 32; i < 36; i++) {
                frames[i] = outer4(pc, 1000, i);     // other destination: one message of 4
            }
            // Re-address frames 32..35 to 127.0.0.3.
            for (int i = 32; i < 36; i++) {
                frames[i][14 + 19] = 3;
                frames[i][14 + 10] = 0;
                frames[i][14 + 11] = 0;
            }
            send(a, cache, frames);
            assertEquals(36, a.counters().txPackets());
            assertEquals(2, a.udpCounters().txGsoMessages());
            assertEquals(35, a.udpCounters().txGsoDatagrams());
            PacketVector in = new PacketVector();
            LoopbackPorts.receive(b, in, cache, 32);
            assertEquals(32, in.size(), "the kernel segments GSO messages for a receiver without GRO");
            for (int i = 0; i < 32; i++) {
                assertArrayEquals(TestFrames.slice(frames[i], 42, frames[i].length),
                        TestFrames.slice(read(slab, in.frame(i)), 42, frames[i].length), "datagram " + i);
            }
            cache.freeAll(in);
            LoopbackPorts.receive(c, in, cache, 4);
            assertEquals(4, in.size());
            cache.freeAll(in);
        }
    }

    @Test
    void coalescedDatagramsAreSplitBackInOrderThroughASmallVector() {
        try (FrameSlab slab = new FrameSlab(512); UdpTunnelPort a = LoopbackPorts.open(1, "127.0.0.1", true);
             UdpTunnelPort b = LoopbackPorts.open(2, "127.0.0.2", true)) {
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 64);
            assertTrue(b.groActive(false), "kernel without UDP_GRO (Linux < 5.0)?");
            int pb = b.config().udpPort();
            // 30 × 1000 bytes + 400: one GSO message from a, one coalesced datagram at b. A frame holds
            // 1750 bytes of datagram, so segment 1 straddles the frame and the overflow slice.
            byte[][] frames = new byte[33][];
            for (int i = 0; i < 30; i++) {
                frames[i] = outer4(pb, 1000, i);
            }
            frames[30] = outer4(pb, 400, 30);
            frames[31] = outer4(pb, 64, 31);   // then two single small datagrams, after it in order
            frames[32] = outer4(pb, 1400, 32);
            send(a, cache, frames);
            PacketVector small = new PacketVector(8);
            java.util.List<byte[]> got = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (got.size() < 33 && System.nanoTime() < deadline) {
                int n = b.receive(0, small, cache);
                assertEquals(small.size(), n, "receive reports what it put in the vector");
                assertTrue(n <= 8);
                for (int i = 0; i < small.size(); i++) {
                    got.add(read(slab, small.frame(i)));
                }
                cache.freeAll(small);
            }
            assertEquals(33, got.size(), "truncated " + b.udpCounters().rxTruncated() + " gro " + b.udpCounters().rxGroDatagrams() + "/" + b.udpCounters().rxGroSegments() + " sent " + a.counters().txPackets() + " gso " + a.udpCounters().txGsoMessages() + "/" + a.udpCounters().txGsoDatagrams() + " drops " + a.counters().drops(PortDropReason.OVERSIZE) + " rx " + b.counters().rxPackets());
            for (int i = 0; i < 33; i++) {
                byte[] frame = got.get(i);
                assertEquals(frames[i].length, frame.length, "frame " + i);
                assertArrayEquals(TestFrames.slice(frames[i], 42, frames[i].length), TestFrames.slice(frame, 42, frame.length),
                        "datagram " + i);
                assertEquals(frames[i].length - 14, u16(frame, 16), "synthesised IPv4 total length of " + i);
            }
            assertEquals(1, b.udpCounters().rxGroDatagrams());
            assertEquals(31, b.udpCounters().rxGroSegments());
            assertEquals(33, b.counters().rxPackets());
            cache.flush();
            assertEquals(512, pool.available(), "every frame back in the pool");
        }
    }

    @Test
    void aCoalescedDatagramWithoutFramesForAllItsSegmentsIsCountedNotLeaked() {
        try (FrameSlab slab = new FrameSlab(8); FrameSlab senderSlab = new FrameSlab(64);
             UdpTunnelPort a = LoopbackPorts.open(1, "127.0.0.1", true);
             UdpTunnelPort b = LoopbackPorts.open(2, "127.0.0.2", true)) {
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 4);
            int pb = b.config().udpPort();
            byte[][] frames = new byte[20][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = outer4(pb, 1000, i);
            }
            send(a, new FrameCache(new FramePool(senderSlab), 16), frames);
            // 8 frames in the pool: the coalesced datagram's 20 segments cannot all get one.
            PacketVector in = new PacketVector(64);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (b.udpCounters().rxGroDatagrams() == 0 && System.nanoTime() < deadline) {
                b.receive(0, in, cache);
            }
            assertEquals(1, b.udpCounters().rxGroDatagrams());
            long noFrame = b.counters().drops(PortDropReason.NO_FRAME);
            assertEquals(20, in.size() + noFrame, in.size() + " delivered + " + noFrame + " without a frame");
            assertEquals(8, in.size(), "the datagram's frame and the 7 armed but unused ones carry segments");
            for (int i = 0; i < in.size(); i++) {
                assertArrayEquals(TestFrames.slice(frames[i], 42, frames[i].length),
                        TestFrames.slice(read(slab, in.frame(i)), 42, frames[i].length), "segment " + i + " in order");
            }
            cache.freeAll(in);
            cache.flush();
            assertEquals(8, pool.available(), "every frame back in the pool");
        }
    }

    @Test
    void withGroOnAnEmptyPoolDiscardsIntoScratchNeverIntoFramesArmedEarlier() throws Exception {
        try (FrameSlab slab = new FrameSlab(64); UdpTunnelPort b = LoopbackPorts.open(2, "127.0.0.2", true);
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LoopbackPorts.address("127.0.0.1"), 0))) {
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 8);
            assertTrue(b.groActive(false));
            InetSocketAddress to = new InetSocketAddress(LoopbackPorts.address("127.0.0.2"), b.config().udpPort());
            // Grow the armed burst (8, then 16, then 24 messages): every message's iovecs point into
            // frames that go back to the pool afterwards.
            for (int i = 0; i < 20; i++) {
                sender.send(new DatagramPacket(new byte[100 + i], 100 + i, to));
            }
            PacketVector in = new PacketVector(64);
            for (int call = 0; call < 3; call++) {
                b.receive(0, in, cache);
            }
            assertEquals(20, in.size());
            cache.freeAll(in);
            // Now every frame is held (and marked); 30 datagrams arrive with no frame to put them in.
            int[] held = new int[64];
            for (int i = 0; i < held.length; i++) {
                held[i] = cache.allocate();
                slab.memory().asSlice(slab.frameStart(held[i]), slab.frameSize()).fill((byte) 0x5a);
            }
            for (int i = 0; i < 30; i++) {
                sender.send(new DatagramPacket(new byte[200 + i], 200 + i, to));
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (b.counters().drops(PortDropReason.NO_FRAME) < 30 && System.nanoTime() < deadline) {
                assertEquals(0, b.receive(0, in, cache));
            }
            assertEquals(30, b.counters().drops(PortDropReason.NO_FRAME));
            for (int f : held) {
                long start = slab.frameStart(f);
                for (int k = 0; k < slab.frameSize(); k++) {
                    assertEquals((byte) 0x5a, slab.memory().get(java.lang.foreign.ValueLayout.JAVA_BYTE, start + k),
                            "frame " + f + " byte " + k + " was written while the pool was empty");
                }
                cache.free(f);
            }
            cache.flush();
            assertEquals(64, pool.available());
        }
    }

    @Test
    void badFramesAreDroppedCountedAndReturned() {
        try (FrameSlab slab = new FrameSlab(64); UdpTunnelPort a = LoopbackPorts.open(1, "127.0.0.1", true)) {
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 16);
            int port = 4789;
            byte[] good = outer4(port, 20, 1);
            byte[] arp = eth(MAC_B, MAC_A, 0x0806, new byte[28]);
            byte[] runt = new byte[5];
            byte[] cut = TestFrames.slice(good, 0, 40);
            byte[] otherSource = good.clone();
            otherSource[14 + 15] = 9;
            byte[] six = outer6(port, 20, 2);
            byte[] oversize = outer4(port, 1480, 3); // IP packet 1508 > MTU 1500
            byte[] fits = outer4(port, 1472, 4);     // exactly 1500: sent
            send(a, cache, arp, runt, cut, otherSource, six, oversize, fits);
            assertEquals(1, a.counters().txPackets());
            assertEquals(5, a.counters().drops(PortDropReason.MALFORMED));
            assertEquals(1, a.counters().drops(PortDropReason.OVERSIZE));
            UdpTunnelCounters u = a.udpCounters();
            assertEquals(1, u.txNotUdp());
            assertEquals(2, u.txMalformed());
            assertEquals(1, u.txWrongSource());
            assertEquals(1, u.txNoSocket());
            cache.flush();
            assertEquals(64, pool.available(), "every frame back in the pool");
        }
    }

    @Test
    void truncatedDatagramsAndAnEmptyPoolAreCounted() throws Exception {
        try (FrameSlab slab = new FrameSlab(32); UdpTunnelPort b = LoopbackPorts.open(2, "127.0.0.2", false);
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LoopbackPorts.address("127.0.0.1"), 0))) {
            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 8);
            InetSocketAddress to = new InetSocketAddress(LoopbackPorts.address("127.0.0.2"), b.config().udpPort());
            // 2048-byte frames, 256 headroom, 42 synthesised: 1750 bytes of datagram fit.
            sender.send(new DatagramPacket(new byte[1750], 1750, to));
            sender.send(new DatagramPacket(new byte[1751], 1751, to));
            sender.send(new DatagramPacket(new byte[9000], 9000, to));
            PacketVector in = new PacketVector();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (in.size() + b.udpCounters().rxTruncated() < 3 && System.nanoTime() < deadline) {
                b.receive(0, in, cache);
            }
            assertEquals(1, in.size());
            assertEquals(1750 + 42, slab.length(in.frame(0)));
            assertEquals(2, b.udpCounters().rxTruncated());
            assertEquals(2, b.counters().drops(PortDropReason.OVERSIZE));
            cache.freeAll(in);

            // Take every frame: queued datagrams are read and counted NO_FRAME, not left to pile up.
            int[] held = new int[32];
            for (int i = 0; i < 32; i++) {
                held[i] = cache.allocate();
            }
            assertEquals(-1, cache.allocate());
            for (int i = 0; i < 3; i++) {
                sender.send(new DatagramPacket(new byte[100], 100, to));
            }
            deadline = System.nanoTime() + 5_000_000_000L;
            while (b.counters().drops(PortDropReason.NO_FRAME) < 3 && System.nanoTime() < deadline) {
                assertEquals(0, b.receive(0, in, cache));
            }
            assertEquals(3, b.counters().drops(PortDropReason.NO_FRAME));
            for (int f : held) {
                cache.free(f);
            }
            cache.flush();
            assertEquals(32, pool.available());
        }
    }

    @Test
    void receiveQueuesShareTheAddressAndTheKernelSpreadsSenders() throws Exception {
        try (FrameSlab slab = new FrameSlab(1024)) {
            UdpTunnelPort b = null;
            for (int attempt = 0; b == null; attempt++) {
                var local = LoopbackPorts.address("127.0.0.2");
                try {
                    b = UdpTunnelPort.open(2, UdpTunnelPortConfig.of("mq", local, null, LoopbackPorts.freePort(local),
                            MAC_B, 1500).withQueues(2));
                } catch (NativeException e) {
                    if (e.errno() != Errno.EADDRINUSE || attempt == 5) {
                        throw e;
                    }
                }
            }
            try (UdpTunnelPort port = b) {
                assertEquals(2, port.queueCount());
                FrameCache cache = new FrameCache(new FramePool(slab), 64);
                InetSocketAddress to = new InetSocketAddress(LoopbackPorts.address("127.0.0.2"), port.config().udpPort());
                for (int s = 0; s < 16; s++) {
                    try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(LoopbackPorts.address("127.0.0.1"), 0))) {
                        for (int i = 0; i < 10; i++) {
                            sender.send(new DatagramPacket(new byte[64], 64, to));
                        }
                    }
                }
                PacketVector in = new PacketVector();
                long[] perQueue = new long[2];
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (perQueue[0] + perQueue[1] < 160 && System.nanoTime() < deadline) {
                    for (int q = 0; q < 2; q++) {
                        perQueue[q] += port.receive(q, in, cache);
                        cache.freeAll(in);
                    }
                }
                assertEquals(160, perQueue[0] + perQueue[1]);
                assertTrue(perQueue[0] > 0 && perQueue[1] > 0, "16 senders on one queue: " + perQueue[0] + "/" + perQueue[1]);
                assertEquals(perQueue[1], port.receiveCounters(1).rxPackets());
                assertEquals(160, port.counters().rxPackets());
            }
        }
    }

    @Test
    void severalThreadsTransmitAtOnceEachWithItsOwnState() throws Exception {
        try (FrameSlab slab = new FrameSlab(4096); UdpTunnelPort a = LoopbackPorts.open(1, "127.0.0.1", true);
             UdpTunnelPort b = LoopbackPorts.open(2, "127.0.0.2", false)) {
            FramePool pool = new FramePool(slab);
            int threads = 3;
            int bursts = 100;
            int burst = 8;
            Thread[] senders = new Thread[threads];
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                senders[t] = new Thread(() -> {
                    try {
                        FrameCache cache = new FrameCache(pool, 32);
                        for (int i = 0; i < bursts; i++) {
                            byte[][] frames = new byte[burst][];
                            for (int k = 0; k < burst; k++) {
                                frames[k] = outer4(b.config().udpPort(), 100 + seed, seed);
                            }
                            send(a, cache, frames);
                        }
                        cache.flush();
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                senders[t].start();
            }
            for (Thread t : senders) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            int total = threads * bursts * burst;
            assertEquals(total, a.counters().txPackets());
            FrameCache cache = new FrameCache(pool, 64);
            PacketVector in = new PacketVector();
            long got = 0;
            long deadline = System.nanoTime() + 5_000_000_000L;
            int[] perSize = new int[threads];
            while (got < total && System.nanoTime() < deadline) {
                b.receive(0, in, cache);
                for (int i = 0; i < in.size(); i++) {
                    perSize[slab.length(in.frame(i)) - 42 - 100]++;
                }
                got += in.size();
                cache.freeAll(in);
            }
            assertEquals(total, got);
            for (int t = 0; t < threads; t++) {
                assertEquals(bursts * burst, perSize[t], "datagrams of thread " + t);
            }
        }
    }

    @Test
    void badConfigurationAndBindFailuresAreExplained() {
        var local = LoopbackPorts.address("127.0.0.1");
        var six = LoopbackPorts.address("::1");
        assertThrows(IllegalArgumentException.class,
                () -> UdpTunnelPortConfig.of("up", null, null, 4789, MAC_B, 1500));
        assertThrows(IllegalArgumentException.class,
                () -> UdpTunnelPortConfig.of("up", six, null, 4789, MAC_B, 1500));
        assertThrows(IllegalArgumentException.class,
                () -> UdpTunnelPortConfig.of("up", LoopbackPorts.address("0.0.0.0"), null, 4789, MAC_B, 1500));
        assertThrows(IllegalArgumentException.class,
                () -> UdpTunnelPortConfig.of("up", local, null, 0, MAC_B, 1500));
        assertThrows(IllegalArgumentException.class,
                () -> UdpTunnelPortConfig.of("up", local, null, 4789, 0x0100_0000_0001L, 1500));
        assertThrows(IllegalArgumentException.class,
                () -> UdpTunnelPortConfig.of("up", local, null, 4789, MAC_B, 9000));
        assertThrows(IllegalArgumentException.class,
                () -> UdpTunnelPortConfig.of("up", null, six, 4789, MAC_B, 1000));
        assertThrows(IllegalArgumentException.class,
                () -> UdpTunnelPortConfig.of("bad name", local, null, 4789, MAC_B, 1500));
        assertThrows(IllegalArgumentException.class,
                () -> UdpTunnelPortConfig.of("up", local, null, 4789, MAC_B, 1500).withQueues(0));

        NativeException e = assertThrows(NativeException.class, () -> UdpTunnelPort.open(1,
                UdpTunnelPortConfig.of("up", LoopbackPorts.address("192.0.2.99"), null, 4789, MAC_B, 1500)));
        assertEquals(Errno.EADDRNOTAVAIL, e.errno());
        assertTrue(e.getMessage().contains("bind") && e.getMessage().contains("192.0.2.99:4789"), e.getMessage());
    }
}
