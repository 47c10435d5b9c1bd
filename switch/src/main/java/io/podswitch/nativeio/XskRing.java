package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * One of the four single-producer single-consumer rings an AF_XDP socket shares with the kernel,
 * mapped into our address space. The producer and consumer indices are free-running u32 counters
 * (an entry's slot is {@code index & mask}); the side that writes an index publishes it with a
 * release store after writing the entries, the side that reads it uses an acquire load before
 * reading them — the same pairing the kernel uses ({@code smp_store_release}/{@code smp_load_acquire}).
 *
 * <pre>
 *   mapping (offsets from XDP_MMAP_OFFSETS)
 *   +----------+-----+----------+-----+---------+-----+--------------------------------+
 *   | producer | ... | consumer | ... | flags   | ... | desc[0] desc[1] ... desc[n-1]  |
 *   +----------+-----+----------+-----+---------+-----+--------------------------------+
 *     u32               u32               u32            u64 addr (fill, completion)
 *                                                        or struct xdp_desc (rx, tx)
 *
 *          consumer                 producer
 *             v                        v
 *   ... [ consumed | entries ready to consume | free ... ]   (indices wrap at 2^32)
 * </pre>
 */
public abstract sealed class XskRing permits XskProducerRing, XskConsumerRing {
    /** Flag the kernel sets when it needs a syscall to make progress (XDP_USE_NEED_WAKEUP). */
    public static final int NEED_WAKEUP = 1;
    static final VarHandle U32 = JAVA_INT.varHandle();

    final String name;
    final MemorySegment mapping;
    final long producerOffset;
    final long consumerOffset;
    final long flagsOffset;
    final long descOffset;
    final int size;
    final int mask;

    XskRing(String name, MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset,
            long descOffset, int size) {
        this.name = name;
        this.mapping = mapping;
        this.producerOffset = producerOffset;
        this.consumerOffset = consumerOffset;
        this.flagsOffset = flagsOffset;
        this.descOffset = descOffset;
        this.size = size;
        this.mask = size - 1;
    }

    public int size() {
        return size;
    }

    /** True when the kernel asks to be woken (fill ring: by poll/recvfrom, tx ring: by sendto). */
    public boolean needsWakeup() {
        return ((int) U32.getAcquire(mapping, flagsOffset) & NEED_WAKEUP) != 0;
    }

    /** The producer index as the kernel sees it (for tests and statistics). */
    public int producerIndex() {
        return (int) U32.getAcquire(mapping, producerOffset);
    }

    /** The consumer index as the kernel sees it (for tests and statistics). */
    public int consumerIndex() {
        return (int) U32.getAcquire(mapping, consumerOffset);
    }

    MemorySegment mapping() {
        return mapping;
    }

    @Override
    public String toString() {
        return name + "[size " + size + ", producer " + producerIndex() + ", consumer " + consumerIndex() + "]";
    }
}
