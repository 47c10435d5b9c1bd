package io.podswitch.worker.forward;

import io.podswitch.graph.PacketProcessor;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.stats.CounterSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * testpmd's {@code macswap} forwarding mode: swaps the Ethernet destination and source MAC of every
 * packet, then sends it out of the peer port (ports paired 0↔1, 2↔3, ...) — the smallest real touch
 * of packet memory (one cache line read and written per packet).
 */
public final class MacSwap implements PacketProcessor, CounterSource {
    private static final int MIN_FRAME = 14;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final PortPairs pairs;
    private final FrameSlab slab;
    private final MemorySegment memory;
    private final String unknownName;
    private final String runtName;
    private final long[] runts = new long[1];

    public MacSwap(FrameSlab slab, Port[] ports, int txQueue, int burst) {
        this.pairs = new PortPairs(ports, txQueue, burst);
        this.slab = slab;
        this.memory = slab.memory();
        this.unknownName = "forward.macswap.q" + txQueue + ".drop.unknown_port";
        this.runtName = "forward.macswap.q" + txQueue + ".drop.runt";
    }

    @Override
    public void process(PacketVector burst, FrameCache cache) {
        int n = burst.size();
        MemorySegment m = memory;
        long dropped = 0;
        for (int i = 0; i < n; i++) {
            int frame = burst.frame(i);
            int out = pairs.peer(slab.inPort(frame));
            if (out < 0) {
                pairs.dropUnknown(frame, cache);
                continue;
            }
            if (slab.length(frame) < MIN_FRAME) {
                cache.free(frame);
                dropped++;
                continue;
            }
            long start = slab.dataStart(frame);
            // Bytes 0-5 destination, 6-11 source: one 8-byte and one 4-byte load, little-endian so
            // there is no byte swapping; the addresses are shuffled as 48-bit lanes and stored back.
            long head = m.get(LE_LONG, start);            // dst[0..5] src[0..1]
            long tail = m.get(LE_INT, start + 8) & 0xffffffffL; // src[2..5]
            long dst = head & 0xffff_ffff_ffffL;
            long src = (head >>> 48) | (tail << 16);
            m.set(LE_LONG, start, src | (dst << 48));
            m.set(LE_INT, start + 8, (int) (dst >>> 16));
            pairs.enqueue(out, frame, cache);
        }
        if (dropped > 0) {
            Counters.add(runts, dropped);
        }
        burst.clear();
    }

    @Override
    public int flush(FrameCache cache) {
        return pairs.flush(cache);
    }

    @Override
    public void visit(CounterVisitor visitor) {
        visitor.counter(unknownName, pairs.unknownPortDrops());
        visitor.counter(runtName, Counters.get(runts));
    }

    /** Single-writer counter cell: release store by the worker, acquire load by the stats thread. */
    private static final class Counters {
        private static final java.lang.invoke.VarHandle LONG =
                java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

        static void add(long[] cell, long delta) {
            LONG.setRelease(cell, 0, (long) LONG.get(cell, 0) + delta);
        }

        static long get(long[] cell) {
            return (long) LONG.getAcquire(cell, 0);
        }
    }
}
