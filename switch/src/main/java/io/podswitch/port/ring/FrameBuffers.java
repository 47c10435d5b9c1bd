package io.podswitch.port.ring;

import io.podswitch.nativeio.IoUring;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import java.lang.foreign.Arena;

/**
 * Frames lent to the kernel as a provided-buffer group of a {@link ThreadRing}: multishot reads pick
 * a buffer when a packet arrives, so frames sit in the kernel's hands only while a packet fills
 * them, however many queues the ring reads. Buffer {@code bid} is the frame {@link #frame}(bid); the
 * buffer starts {@code lead} bytes before the frame's data offset (room for a virtio-net header that
 * the read puts in front of the packet), so the packet lands where a frame's data starts.
 *
 * <pre>
 *   frame:  | headroom ........ | lead | packet ...                          |
 *                               ^ buffer address, length = capacity - headroom + lead
 * </pre>
 *
 * A completed buffer is either given back as it is ({@link #recycle}) or handed on with its frame and
 * replaced by a fresh frame ({@link #replace}); both are written to the ring's memory and published
 * together by {@link #publish} (one release store). A packet that cannot get a fresh frame is
 * dropped and its buffer recycled, so buffers never go missing while the ring runs; only the first
 * fill may find the pool short ({@link #missing}), and {@link #refill} completes it later. Owner thread
 * only; allocation free.
 */
public final class FrameBuffers {
    private final IoUring.BufferRing ring;
    private final int group;
    private final boolean large;
    private final int lead;
    private final FrameSlab slab;
    private final long base;
    private final int length;
    /** Buffer id → frame, -1 while missing. */
    private final int[] frames;
    private final int[] missingIds;
    private int missing;
    private int written;

    FrameBuffers(Arena arena, int group, int entries, boolean large, int lead, FrameCache cache) {
        this.ring = new IoUring.BufferRing(arena, entries);
        this.group = group;
        this.large = large;
        this.lead = lead;
        this.slab = cache.slab();
        this.base = slab.memory().address();
        int capacity = large ? slab.largeFrameSize() : slab.frameSize();
        this.length = capacity - slab.headroom() + lead;
        this.frames = new int[entries];
        this.missingIds = new int[entries];
        for (int bid = 0; bid < entries; bid++) {
            frames[bid] = -1;
            missingIds[missing++] = bid;
        }
        refill(cache);
    }

    IoUring.BufferRing ring() {
        return ring;
    }

    /** Buffers in the group (with or without a frame). */
    public int entries() {
        return frames.length;
    }

    /** The buffer group id reads of this group name. */
    public int group() {
        return group;
    }

    public boolean large() {
        return large;
    }

    /** Bytes in front of the packet (the virtio-net header). */
    public int lead() {
        return lead;
    }

    /** A buffer's length: the longest read it takes (a longer packet comes back cut to exactly this). */
    public int length() {
        return length;
    }

    /** The frame behind buffer {@code bid}. */
    public int frame(int bid) {
        return frames[bid];
    }

    /** Slab offset of buffer {@code bid}'s first byte (the header's). */
    public long offset(int bid) {
        return slab.frameStart(frames[bid]) + slab.headroom() - lead;
    }

    /** Buffers without a frame (the pool was empty). */
    public int missing() {
        return missing;
    }

    /** Gives buffer {@code bid} back to the kernel as it is (its packet was copied or dropped). */
    public void recycle(int bid) {
        ring.add(written++, base + offset(bid), length, bid);
    }

    /** Hands buffer {@code bid}'s frame on and gives the kernel {@code frame} in its place. */
    public void replace(int bid, int frame) {
        frames[bid] = frame;
        recycle(bid);
    }

    /** Publishes every buffer written since the last call. */
    public void publish() {
        if (written > 0) {
            ring.advance(written);
            written = 0;
        }
    }

    /** Gives frames to missing buffers while the cache has some; publishes them. @return buffers filled */
    public int refill(FrameCache cache) {
        int filled = 0;
        while (missing > 0) {
            int frame = large ? cache.allocateLarge() : cache.allocate();
            if (frame < 0) {
                break;
            }
            int bid = missingIds[--missing];
            frames[bid] = frame;
            recycle(bid);
            filled++;
        }
        publish();
        return filled;
    }

    /** Returns every frame to the cache (the ring is closing: no read may use the group any more). */
    void release(FrameCache cache) {
        for (int bid = 0; bid < frames.length; bid++) {
            if (frames[bid] >= 0) {
                cache.free(frames[bid]);
                frames[bid] = -1;
            }
        }
    }
}
