package io.podswitch.port.afxdp;

import io.podswitch.packet.FramePool;

/**
 * Which frames one AF_XDP queue has lent to the kernel (on the fill ring, in the RX ring, on the TX
 * ring or not yet completed): one bit per slab frame. When the queue closes, the kernel forgets the
 * rings, so these frames are returned to the pool instead of being lost. One owner thread.
 */
final class KernelOwnedFrames {
    private final long[] bits;
    private int count;

    KernelOwnedFrames(int frameCount) {
        this.bits = new long[(frameCount + 63) >>> 6];
    }

    void lend(int frame) {
        bits[frame >>> 6] |= 1L << frame;
        count++;
    }

    void takeBack(int frame) {
        bits[frame >>> 6] &= ~(1L << frame);
        count--;
    }

    boolean isLent(int frame) {
        return (bits[frame >>> 6] & (1L << frame)) != 0;
    }

    /** Frames currently with the kernel. */
    int count() {
        return count;
    }

    /** Returns every frame still lent to the pool (after the socket is closed). */
    void returnAll(FramePool pool) {
        for (int word = 0; word < bits.length; word++) {
            long w = bits[word];
            while (w != 0) {
                int bit = Long.numberOfTrailingZeros(w);
                w &= w - 1;
                pool.offer((word << 6) + bit);
            }
            bits[word] = 0;
        }
        count = 0;
    }
}
