package io.podswitch.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The switch's packet memory: one off-heap, page-aligned slab cut into fixed-size frames.
 * A packet is an {@code int} frame index; no object exists per packet.
 *
 * <pre>
 *  slab (page aligned; registered as the AF_XDP UMEM as it is)
 *  +-----------+-----------+-----------+-----+---------------+
 *  | frame 0   | frame 1   | frame 2   | ... | frame N-1     |   each frameSize bytes (2048)
 *  +-----------+-----------+-----------+-----+---------------+
 *
 *  one frame
 *  +----------------------+-------------------------------+--------+
 *  | headroom (256 bytes) | packet: ethernet header ...   | unused |
 *  +----------------------+-------------------------------+--------+
 *  ^ frame start          ^ frame start + dataOffset[f]
 *                           (room in front for VXLAN/Geneve outer headers and the virtio-net header)
 * </pre>
 *
 * Per-frame metadata lives in struct-of-arrays on the heap, indexed by frame index: the data offset
 * (from the frame start), the data length and the receiving port. A frame is owned by exactly one
 * thread at a time (a worker, or a queue between two); hand-over through a queue publishes the
 * metadata, so the arrays are accessed with plain reads and writes.
 */
public final class FrameSlab implements AutoCloseable {
    public static final int DEFAULT_FRAME_SIZE = 2048;
    public static final int DEFAULT_HEADROOM = 256;
    public static final int PAGE_SIZE = 4096;

    private final Arena arena;
    private final MemorySegment memory;
    private final int frameSize;
    private final int frameShift;
    private final int frameCount;
    private final int headroom;
    private final int[] dataOffset;
    private final int[] dataLength;
    private final int[] inPort;

    public FrameSlab(int frameCount) {
        this(frameCount, DEFAULT_FRAME_SIZE, DEFAULT_HEADROOM);
    }

    public FrameSlab(int frameCount, int frameSize, int headroom) {
        if (frameCount <= 0) {
            throw new IllegalArgumentException("frameCount must be positive: " + frameCount);
        }
        if (Integer.bitCount(frameSize) != 1 || frameSize < 1024 || frameSize > PAGE_SIZE) {
            // AF_XDP wants a power-of-two chunk size between 2048 and the page size (aligned mode).
            throw new IllegalArgumentException("frameSize must be a power of two in [1024, 4096]: " + frameSize);
        }
        if (headroom < 0 || headroom >= frameSize / 2) {
            throw new IllegalArgumentException("headroom out of range: " + headroom);
        }
        this.frameSize = frameSize;
        this.frameShift = Integer.numberOfTrailingZeros(frameSize);
        this.frameCount = frameCount;
        this.headroom = headroom;
        this.arena = Arena.ofShared();
        this.memory = arena.allocate((long) frameCount * frameSize, PAGE_SIZE);
        this.dataOffset = new int[frameCount];
        this.dataLength = new int[frameCount];
        this.inPort = new int[frameCount];
        for (int f = 0; f < frameCount; f++) {
            dataOffset[f] = headroom;
        }
    }

    /** The whole slab; ports read and write packet bytes through it. */
    public MemorySegment memory() {
        return memory;
    }

    public int frameSize() {
        return frameSize;
    }

    public int frameCount() {
        return frameCount;
    }

    public int headroom() {
        return headroom;
    }

    /** Byte offset of the frame's first byte in {@link #memory()}. */
    public long frameStart(int frame) {
        return (long) frame << frameShift;
    }

    /** The frame that holds the given slab offset (as an AF_XDP descriptor address is). */
    public int frameOf(long slabOffset) {
        return (int) (slabOffset >>> frameShift);
    }

    /** Byte offset of the packet's first byte (the Ethernet header) in {@link #memory()}. */
    public long dataStart(int frame) {
        return ((long) frame << frameShift) + dataOffset[frame];
    }

    public int dataOffset(int frame) {
        return dataOffset[frame];
    }

    public int length(int frame) {
        return dataLength[frame];
    }

    /** Bytes the packet may still grow to at its end. */
    public int tailroom(int frame) {
        return frameSize - dataOffset[frame] - dataLength[frame];
    }

    public void setLength(int frame, int length) {
        dataLength[frame] = length;
    }

    public void setDataOffset(int frame, int offset) {
        dataOffset[frame] = offset;
    }

    /** Sets where the packet starts (from the frame start) and how long it is. */
    public void setData(int frame, int offset, int length) {
        dataOffset[frame] = offset;
        dataLength[frame] = length;
    }

    /**
     * Grows the packet at its front by {@code bytes} (to add an outer header) and returns the new
     * data start, or -1 when the headroom is too small.
     */
    public long prepend(int frame, int bytes) {
        int offset = dataOffset[frame] - bytes;
        if (offset < 0) {
            return -1;
        }
        dataOffset[frame] = offset;
        dataLength[frame] += bytes;
        return ((long) frame << frameShift) + offset;
    }

    /** Removes {@code bytes} from the packet's front (to strip an outer header). */
    public void strip(int frame, int bytes) {
        dataOffset[frame] += bytes;
        dataLength[frame] -= bytes;
    }

    public int inPort(int frame) {
        return inPort[frame];
    }

    public void setInPort(int frame, int port) {
        inPort[frame] = port;
    }

    /** Makes the frame empty with the default headroom, as it is when it leaves the pool. */
    public void reset(int frame) {
        dataOffset[frame] = headroom;
        dataLength[frame] = 0;
    }

    @Override
    public void close() {
        arena.close();
    }
}
