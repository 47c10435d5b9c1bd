package io.podswitch.port.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.udp;

/**
 * Micro-measurement, not a test: datagrams per second that one thread moves through a UDP tunnel
 * socket pair on loopback, in closed-loop bursts of 32 (send 32 from A to B, receive all 32 at B,
 * repeat), as a worker polling an uplink would. Compared:
 * <ul>
 * <li>{@code ffm}: {@link UdpTunnelPort} (sendmmsg / recvmmsg through FFM, headers synthesised into
 *     slab frames), UDP GSO off;</li>
 * <li>{@code ffm+gso}: the same with UDP GSO (the 32 equal-size datagrams go as one message);</li>
 * <li>{@code netty}: Netty 4.2's io_uring {@code IoUringDatagramChannel}s on one event-loop thread
 *     (pooled direct buffers, the next burst written from the receive handler).</li>
 * </ul>
 * Each measurement: 0.5 s warm-up, then 1 s counted; median of 5. Datagram sizes 64 and 1400 bytes.
 * Run (as any user, after {@code mvn -o -pl switch -am test-compile}):
 * {@code java --enable-native-access=ALL-UNNAMED -cp <classes:test-classes:deps>
 * io.podswitch.port.udp.UdpUplinkBenchMain [runs]}
 */
public final class UdpUplinkBenchMain {
    static final int BURST = 32;
    static final long WARMUP_NANOS = 500_000_000L;
    static final long MEASURE_NANOS = 1_000_000_000L;

    private UdpUplinkBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.printf("kernel %s, %d cpus, java %s, io_uring available: %s%n", System.getProperty("os.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.version(),
                IoUring.isAvailable() ? "yes" : "no (" + IoUring.unavailabilityCause() + ")");
        System.out.println("datagram  variant   median Mpps   runs (Mpps)");
        for (int size : new int[] {64, 1400}) {
            double[] ffm = new double[runs];
            double[] gso = new double[runs];
            double[] netty = new double[runs];
            for (int r = 0; r < runs; r++) {
                ffm[r] = ffm(size, false);
                gso[r] = ffm(size, true);
                netty[r] = IoUring.isAvailable() ? netty(size) : Double.NaN;
            }
            print(size, "ffm", ffm);
            print(size, "ffm+gso", gso);
            print(size, "netty", netty);
        }
    }

    private static void print(int size, String variant, double[] mpps) {
        double[] sorted = mpps.clone();
        Arrays.sort(sorted);
        System.out.printf("%8d  %-8s  %11.3f   %s%n", size, variant, sorted[sorted.length / 2],
                Arrays.toString(Arrays.stream(mpps).map(v -> Math.round(v * 1000) / 1000.0).toArray()));
    }

    /** Datagrams per second (millions) through a pair of UdpTunnelPorts. */
    static double ffm(int size, boolean gso) {
        try (FrameSlab slab = new FrameSlab(1024); Arena arena = Arena.ofConfined();
             UdpTunnelPort a = open(1, "127.0.0.1", gso); UdpTunnelPort b = open(2, "127.0.0.2", false)) {
            FrameCache cache = new FrameCache(new FramePool(slab), 256);
            byte[] frame = eth(LoopbackPorts.MAC, LoopbackPorts.MAC, 0x0800, ip4Packet(ip4("127.0.0.1"),
                    ip4("127.0.0.2"), 64, 17, 0x4000, 0, udp(50000, b.config().udpPort(), bytes(size, 1))));
            MemorySegment template = arena.allocateFrom(ValueLayout.JAVA_BYTE, frame);
            PacketVector out = new PacketVector(BURST);
            PacketVector in = new PacketVector(BURST);
            MemorySegment memory = slab.memory();
            long packets = 0;
            long start = System.nanoTime();
            long measuredFrom = 0;
            long counted = 0;
            while (true) {
                long now = System.nanoTime();
                if (measuredFrom == 0 && now - start >= WARMUP_NANOS) {
                    measuredFrom = now;
                    counted = packets;
                } else if (measuredFrom != 0 && now - measuredFrom >= MEASURE_NANOS) {
                    if (System.getProperty("bench.verbose") != null) {
                        System.err.printf("  ffm size %d gso %s: %d packets, rx calls/packet %.3f, tx calls/packet %.3f, "
                                + "rx drops %d%n", size, gso, packets, b.udpCounters().rxSyscalls() / (double) packets,
                                a.udpCounters().txSyscalls() / (double) packets,
                                b.counters().drops(io.podswitch.port.PortDropReason.NO_FRAME));
                    }
                    return (packets - counted) / ((now - measuredFrom) / 1e9) / 1e6;
                }
                for (int i = 0; i < BURST; i++) {
                    int f = cache.allocate();
                    MemorySegment.copy(template, 0, memory, slab.dataStart(f), template.byteSize());
                    slab.setLength(f, (int) template.byteSize());
                    out.add(f);
                }
                int sent = a.transmit(0, out, cache);
                int got = 0;
                for (int spin = 0; got < sent && spin < 1_000_000; spin++) {
                    got += b.receive(0, in, cache);
                    cache.freeAll(in);
                }
                packets += got;
            }
        }
    }

    private static UdpTunnelPort open(int id, String local, boolean gso) {
        return LoopbackPorts.open(id, local, gso);
    }

    /** Datagrams per second (millions) through two Netty io_uring datagram channels on one event loop. */
    static double netty(int size) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
        try {
            InetSocketAddress addressB = new InetSocketAddress(LoopbackPorts.address("127.0.0.2"),
                    LoopbackPorts.freePort(LoopbackPorts.address("127.0.0.2")));
            ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(size).writeBytes(bytes(size, 1));
            AtomicLong received = new AtomicLong();
            Channel[] sender = new Channel[1];
            Runnable burst = () -> {
                for (int i = 0; i < BURST; i++) {
                    sender[0].write(new DatagramPacket(payload.retainedDuplicate(), addressB));
                }
                sender[0].flush();
            };
            Bootstrap receiverBootstrap = new Bootstrap().group(group).channel(IoUringDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        private int inBurst;

                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            received.incrementAndGet();
                            if (++inBurst == BURST) {
                                inBurst = 0;
                                burst.run();
                            }
                        }
                    });
            Channel receiver = receiverBootstrap.bind(addressB).sync().channel();
            sender[0] = new Bootstrap().group(group).channel(IoUringDatagramChannel.class)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new io.netty.channel.ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress(LoopbackPorts.address("127.0.0.1"), 0)).sync().channel();
            sender[0].eventLoop().execute(burst);
            TimeUnit.NANOSECONDS.sleep(WARMUP_NANOS);
            long before = received.get();
            long t0 = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(MEASURE_NANOS);
            long count = received.get() - before;
            double seconds = (System.nanoTime() - t0) / 1e9;
            sender[0].close().sync();
            receiver.close().sync();
            payload.release();
            return count / seconds / 1e6;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
