package io.podswitch.packet;

/**
 * The shared free lists of a {@link FrameSlab}: one lock-free {@link FrameRing} for the normal frames
 * and one for the large frames (GSO super-frames up to 64 KiB, see {@link FrameSlab}). Each ring is
 * sized to hold every frame of its kind, so a free never fails.
 *
 * <p>Workers do not touch the normal ring per packet: each owns a {@link FrameCache} that refills and
 * flushes in bulk, as a DPDK mempool cache does. Large frames are few and each carries up to 44
 * segments' worth of data, so they go straight to and from their ring (one CAS per super-frame).
 */
public final class FramePool {
    private final FrameSlab slab;
    private final FrameRing normal;
    private final FrameRing large;

    /** A pool that owns every frame of the slab, all free. */
    public FramePool(FrameSlab slab) {
        this.slab = slab;
        this.normal = new FrameRing(slab.frameCount());
        this.large = new FrameRing(slab.largeFrameCount());
        for (int f = 0; f < slab.frameCount(); f++) {
            normal.offer(f);
        }
        int first = slab.firstLargeFrame();
        for (int i = 0; i < slab.largeFrameCount(); i++) {
            large.offer(first + i);
        }
    }

    public FrameSlab slab() {
        return slab;
    }

    /**
     * Returns a frame (normal or large) to its ring. Never fails while the caller returns only frames
     * it owns.
     */
    public boolean offer(int frame) {
        return slab.isLarge(frame) ? large.offer(frame) : normal.offer(frame);
    }

    /** Takes a free normal frame, reset to empty with default headroom, or -1 when none is free. */
    public int poll() {
        int frame = normal.poll();
        if (frame >= 0) {
            slab.reset(frame);
        }
        return frame;
    }

    /** Takes a free large frame, reset to empty with default headroom, or -1 when none is free. */
    public int pollLarge() {
        int frame = large.poll();
        if (frame >= 0) {
            slab.reset(frame);
        }
        return frame;
    }

    /** Normal frames currently free in the shared ring (a snapshot; excludes frames in worker caches). */
    public int available() {
        return normal.size();
    }

    /** Large frames currently free (a snapshot). */
    public int availableLarge() {
        return large.size();
    }
}
