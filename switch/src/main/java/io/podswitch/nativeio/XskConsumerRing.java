package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * A ring the kernel produces into and we consume: the RX ring (received packets, {@code xdp_desc})
 * and the completion ring (UMEM addresses of sent packets). Usage: {@link #peek} up to n entries,
 * read them at {@code start + i} with {@link #address} / {@link #length}, then {@link #release}
 * to hand the slots back. Single thread.
 */
public final class XskConsumerRing extends XskRing {
    private final long entrySize;
    /** Our consumer index, published by {@link #release}. */
    private int cachedConsumer;
    /** The kernel's producer index, refreshed when the cached view is empty. */
    private int cachedProducer;
    private int peekedStart;

    XskConsumerRing(String name, MemorySegment mapping, long producerOffset, long consumerOffset, long flagsOffset,
            long descOffset, int size, long entrySize) {
        super(name, mapping, producerOffset, consumerOffset, flagsOffset, descOffset, size);
        this.entrySize = entrySize;
        this.cachedConsumer = (int) U32.getAcquire(mapping, consumerOffset);
        this.cachedProducer = (int) U32.getAcquire(mapping, producerOffset);
    }

    /**
     * Takes up to {@code wanted} ready entries.
     * @return how many (0..wanted); their indices are {@link #peekedStart()} onwards
     */
    public int peek(int wanted) {
        int ready = cachedProducer - cachedConsumer;
        if (ready < wanted) {
            cachedProducer = (int) U32.getAcquire(mapping, producerOffset);
            ready = cachedProducer - cachedConsumer;
        }
        int n = Math.min(ready, wanted);
        peekedStart = cachedConsumer;
        cachedConsumer += n;
        return n;
    }

    public int peekedStart() {
        return peekedStart;
    }

    /** UMEM address of an entry: a completion entry, or the packet start of an RX descriptor. */
    public long address(int index) {
        long at = descOffset + (index & mask) * entrySize;
        return mapping.get(JAVA_LONG, at);
    }

    /** Packet length of an RX descriptor. */
    public int length(int index) {
        return mapping.get(JAVA_INT, descOffset + (index & mask) * entrySize + XskLayouts.DESC_LEN);
    }

    /** Hands every peeked slot back to the kernel (release store of the consumer index). */
    public void release() {
        U32.setRelease(mapping, consumerOffset, cachedConsumer);
    }
}
