package io.podswitch.port.generator;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A null port, as DPDK's {@code net_null} with testpmd's txonly flavour: {@link #receive} synthesises
 * packets from a {@link UdpTemplate} as fast as the CPU allows, each with the next of
 * {@code flows} UDP source ports (and the matching checksum) so flows differ; {@link #transmit} is a
 * sink that counts and frees. Zero allocation. By default every received frame gets the full
 * template written, as a NIC would (net_null's {@code copy=1}); without filling, frames only get
 * the template's length, as net_null's default does.
 *
 * <p>An optional per-queue packet limit makes runs exact for tests ("generate 10M, then stop").
 * Counters are one {@link SimplePortCounters} (single writer): poll all of a generator's queues from
 * one worker, or give each worker its own generator.
 */
public final class GeneratorPort implements Port {
    /** Per-queue state stride in longs: one 128-byte block per queue, so queues on different workers do not share lines. */
    private static final int STRIDE = 16;
    private static final int FLOW = 0;
    private static final int GENERATED = 1;
    /** 8-byte words of a template of 57..64 bytes (a 64-byte frame is 60 bytes without its FCS). */
    private static final int MINIMUM_WORDS = 8;

    private final int id;
    private final String name;
    private final int queues;
    private final UdpTemplate template;
    private final long[] words;
    private final int length;
    private final int flows;
    private final long limit;
    private final long[] queueState;
    private final boolean writeFrames;
    private final SimplePortCounters counters = new SimplePortCounters();

    /**
     * @param flows how many distinct UDP source ports to cycle through (from the template's port up)
     * @param limitPerQueue packets each queue generates before it goes quiet ({@link Long#MAX_VALUE}: no limit)
     */
    public GeneratorPort(int id, String name, int queues, FrameSlab slab, UdpTemplate template, int flows,
                         long limitPerQueue) {
        this(id, name, queues, slab, template, flows, limitPerQueue, true);
    }

    /**
     * @param writeFrames false: hand out frames with the template's length but without writing them,
     *                    as {@code net_null} does by default (its {@code copy=0}); for measuring the
     *                    engine alone. The frames then hold whatever was in them.
     */
    public GeneratorPort(int id, String name, int queues, FrameSlab slab, UdpTemplate template, int flows,
                         long limitPerQueue, boolean writeFrames) {
        if (queues < 1) {
            throw new IllegalArgumentException("a port needs at least one queue: " + queues);
        }
        if (flows < 1 || template.sourcePort() + flows - 1 > 0xffff) {
            throw new IllegalArgumentException("flows must be in [1, " + (0x10000 - template.sourcePort()) + "]: " + flows);
        }
        if (limitPerQueue < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limitPerQueue);
        }
        if ((template.bytes().length + 7) / 8 * 8 > slab.frameSize() - slab.headroom()) {
            throw new IllegalArgumentException("template of " + template.bytes().length + " bytes does not fit a frame of "
                    + slab.frameSize() + " bytes with " + slab.headroom() + " bytes headroom");
        }
        this.id = id;
        this.name = name;
        this.queues = queues;
        this.template = template;
        this.length = template.bytes().length;
        // Whole 8-byte words (the last one zero-padded) so a packet is written with long stores.
        this.words = new long[(length + 7) / 8];
        MemorySegment.copy(MemorySegment.ofArray(template.bytes()), 0, MemorySegment.ofArray(words), 0, length);
        this.flows = flows;
        this.limit = limitPerQueue;
        this.queueState = new long[(queues + 1) * STRIDE];
        this.writeFrames = writeFrames;
    }

    /** A 64-byte IPv4/UDP generator with 1024 flows and no limit. */
    public static GeneratorPort udp4(int id, String name, int queues, FrameSlab slab) {
        return new GeneratorPort(id, name, queues, slab,
                UdpTemplate.ipv4(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 0x0A000001, 0x0A000002, 1024, 4789, 64),
                1024, Long.MAX_VALUE);
    }

    public UdpTemplate template() {
        return template;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int queueCount() {
        return queues;
    }

    @Override
    public int mtu() {
        return 9000;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** Packets queue {@code queue} has generated (owner thread, or after it stopped). */
    public long generated(int queue) {
        return queueState[(queue + 1) * STRIDE + GENERATED];
    }

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        int base = (queue + 1) * STRIDE;
        long[] state = queueState;
        long made = state[base + GENERATED];
        int want = (int) Math.min(into.free(), limit - made);
        if (want <= 0) {
            return 0;
        }
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        long[] w = words;
        int len = length;
        int portOffset = template.sourcePortOffset();
        int checksumOffset = template.checksumOffset();
        int firstPort = template.sourcePort();
        int flow = (int) state[base + FLOW];
        int n = 0;
        while (n < want) {
            int frame = cache.allocate();
            if (frame < 0) {
                break;
            }
            if (writeFrames) {
                long start = slab.dataStart(frame);
                if (w.length == MINIMUM_WORDS) {
                    writeMinimum(memory, start, w);
                } else {
                    for (int i = 0; i < w.length; i++) {
                        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, start + ((long) i << 3), w[i]);
                    }
                }
                int port = firstPort + flow;
                Bytes.u16(memory, start + portOffset, port);
                Bytes.u16(memory, start + checksumOffset, template.checksumFor(port));
                if (++flow == flows) {
                    flow = 0;
                }
            }
            slab.setLength(frame, len);
            slab.setInPort(frame, id);
            into.add(frame);
            n++;
        }
        state[base + FLOW] = flow;
        state[base + GENERATED] = made + n;
        if (n > 0) {
            counters.received(n, (long) n * len);
        }
        if (n < want) {
            counters.dropped(PortDropReason.NO_FRAME, want - n);
        }
        return n;
    }

    /**
     * A minimum-size frame (60 bytes + FCS on the wire) in eight straight stores: the benchmark's
     * 64-byte case, where the general loop's set-up and exit cost as much as the stores themselves.
     */
    private static void writeMinimum(MemorySegment memory, long start, long[] w) {
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, start, w[0]);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, start + 8, w[1]);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, start + 16, w[2]);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, start + 24, w[3]);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, start + 32, w[4]);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, start + 40, w[5]);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, start + 48, w[6]);
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, start + 56, w[7]);
    }

    /** The sink: counts every packet and frees its frame. */
    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        int n = from.size();
        if (n == 0) {
            return 0;
        }
        FrameSlab slab = cache.slab();
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            int frame = from.frame(i);
            bytes += slab.length(frame);
            cache.free(frame);
        }
        from.clear();
        counters.transmitted(n, bytes);
        return n;
    }

    /** Nothing to release: the generator holds no frames and no native resources. */
    @Override
    public void close() {
        // Frames it generated belong to whoever received them; the sink freed the rest at once.
    }
}
