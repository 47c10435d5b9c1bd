package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * A ring we produce into and the kernel consumes: the fill ring (empty frames for the kernel to
 * receive into; entries are UMEM addresses) and the TX ring (packets to send; entries are
 * {@code xdp_desc}). Usage: {@link #reserve} n slots, write each with {@link #setAddress} or
 * {@link #setDescriptor} at {@code start + i}, then {@link #submit} to publish them. Single thread.
 */
public final class XskProducerRing extends XskRing {
    private final long entrySize;
    /** Our producer index, published by {@link #submit}. */
    private int cachedProducer;
    /** The kernel's consumer index plus the ring size, refreshed only when we seem to be full. */
    private int cachedConsumerLimit;
    private int reservedStart;

    XskProducerRing(String name, MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset,
            long descOffset, int size, long entrySize) {
        super(name, mapping, producerOffset, consumerOffset, flagsOffset, descOffset, size);
        this.entrySize = entrySize;
        this.cachedProducer = (int) U32.getAcquire(mapping, producerOffset);
        this.cachedConsumerLimit = (int) U32.getAcquire(mapping, consumerOffset) + size;
    }

    /** Free slots, looking at the kernel's consumer index only when the cached view is short of {@code wanted}. */
    public int free(int wanted) {
        int free = cachedConsumerLimit - cachedProducer;
        if (free >= wanted) {
            return free;
        }
        cachedConsumerLimit = (int) U32.getAcquire(mapping, consumerOffset) + size;
        return cachedConsumerLimit - cachedProducer;
    }

    /**
     * Reserves up to {@code wanted} slots.
     * @return how many were reserved (0..wanted); their indices are {@link #reservedStart()} onwards
     */
    public int reserve(int wanted) {
        int n = Math.min(wanted, free(wanted));
        reservedStart = cachedProducer;
        cachedProducer += n;
        return n;
    }

    /** Index of the first slot handed out by the last {@link #reserve}. */
    public int reservedStart() {
        return reservedStart;
    }

    /** Writes a fill-ring entry. */
    public void setAddress(int index, long umemAddress) {
        mapping.set(JAVA_LONG, descOffset + (index & mask) * entrySize, umemAddress);
    }

    /** Writes a TX-ring entry. */
    public void setDescriptor(int index, long umemAddress, int length) {
        long at = descOffset + (index & mask) * entrySize;
        mapping.set(JAVA_LONG, at + XskLayouts.DESC_ADDR, umemAddress);
        mapping.set(JAVA_INT, at + XskLayouts.DESC_LEN, length);
        mapping.set(JAVA_INT, at + XskLayouts.DESC_OPTIONS, 0);
    }

    /** Publishes every reserved slot to the kernel (release store of the producer index). */
    public void submit() {
        U32.setRelease(mapping, producerOffset, cachedProducer);
    }

    /** Entries submitted and not yet consumed by the kernel. */
    public int pending() {
        return cachedProducer - (int) U32.getAcquire(mapping, consumerOffset);
    }
}
