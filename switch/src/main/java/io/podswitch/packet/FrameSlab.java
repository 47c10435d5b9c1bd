package io.podswitch.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The switch's packet memory: one off-heap, page-aligned slab cut into fixed-size frames, followed by
 * an optional region of large frames for GSO super-frames. A packet is an {@code int} frame index; no
 * object exists per packet.
 *
 * <pre>
 *  slab (page aligned, one MemorySegment)
 *  +-----------+-----------+-----+---------------+----------------------+-----+----------------------+
 *  | frame 0   | frame 1   | ... | frame N-1     | large frame N        | ... | large frame N+L-1    |
 *  +-----------+-----------+-----+---------------+----------------------+-----+----------------------+
 *  |<-- normal region: N x frameSize (2048) ---->|<-- large region: L x largeFrameSize (68 KiB) --->|
 *  |<-- registered as the AF_XDP UMEM ---------->|   (never lent to the kernel's AF_XDP rings)
 *
 *  one frame (normal or large)
 *  +----------------------+-------------------------------+--------+
 *  | headroom (256 bytes) | packet: ethernet header ...   | unused |
 *  +----------------------+-------------------------------+--------+
 *  ^ frame start          ^ frame start + dataOffset[f]
 *                           (room in front for VXLAN/Geneve outer headers and the virtio-net header)
 * </pre>
 *
 * Large frames have indices N..N+L-1, so a packet is still one index and one contiguous byte range:
 * every graph node reads it through {@link #memory()} and {@link #dataStart} without knowing which
 * region it lives in. Only a TAP with offloads fills them (a TCP super-frame of up to 64 KiB).
 *
 * <p>Per-frame metadata lives in struct-of-arrays on the heap, indexed by frame index: the data offset
 * (from the frame start), the data length, the receiving port, and the offload state that a virtio-net
 * header carries (checksum still to be completed, GSO type and segment size). A frame is owned by
 * exactly one thread at a time (a worker, or a queue between two); hand-over through a queue
 * publishes the metadata, so the arrays are accessed with plain reads and writes.
 */
public final class FrameSlab implements AutoCloseable {
    public static final int DEFAULT_FRAME_SIZE = 2048;
    public static final int DEFAULT_HEADROOM = 256;
    public static final int PAGE_SIZE = 4096;
    /** 64 KiB GSO packet + VLAN tag + virtio-net header + 256 bytes headroom, rounded up to pages. */
    public static final int DEFAULT_LARGE_FRAME_SIZE = 68 * 1024;

    /** Offload flag: the L4 checksum is partial (pseudo-header sum only); complete it at csumStart + csumOffset. */
    public static final int NEEDS_CSUM = 1;
    /** Offload flag: the checksums were already verified (a receive-side hint). */
    public static final int DATA_VALID = 2;
    /** GSO types, with the values of the virtio-net header so a TAP copies them through unchanged. */
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    /** Added to a TCP GSO type when the packet carries CWR and ECN must be honoured when segmenting. */
    public static final int GSO_ECN = 0x80;
    /** Added to a TCP GSO type: the super-frame is inside a UDP tunnel over IPv4 (outer headers in front). */
    public static final int GSO_UDP_TUNNEL_IPV4 = 0x20;
    /** Added to a TCP GSO type: the super-frame is inside a UDP tunnel over IPv6. */
    public static final int GSO_UDP_TUNNEL_IPV6 = 0x40;
    public static final int GSO_UDP_TUNNEL = GSO_UDP_TUNNEL_IPV4 | GSO_UDP_TUNNEL_IPV6;
    /** Offload flag of a tunnel super-frame: each segment's outer UDP checksum is to be filled in. */
    public static final int UDP_TUNNEL_CSUM = 8;

    private final Arena arena;
    private final MemorySegment memory;
    private final int frameSize;
    private final int frameShift;
    private final int frameCount;
    private final int headroom;
    private final int largeFrameCount;
    private final int largeFrameSize;
    private final long largeRegionStart;
    private final int[] dataOffset;
    private final int[] dataLength;
    private final int[] inPort;
    // Offload state (virtio-net header fields); meaningful only when offloadFlags or gsoType is set.
    private final byte[] offloadFlags;
    private final byte[] gsoType;
    private final short[] gsoSize;
    private final short[] gsoHeaderLength;
    private final short[] csumStart;
    private final short[] csumOffset;

    public FrameSlab(int frameCount) {
        this(frameCount, DEFAULT_FRAME_SIZE, DEFAULT_HEADROOM);
    }

    public FrameSlab(int frameCount, int frameSize, int headroom) {
        this(frameCount, frameSize, headroom, 0, DEFAULT_LARGE_FRAME_SIZE);
    }

    /** Normal frames of the default size and headroom plus {@code largeFrameCount} 68 KiB frames. */
    public static FrameSlab withLargeFrames(int frameCount, int largeFrameCount) {
        return new FrameSlab(frameCount, DEFAULT_FRAME_SIZE, DEFAULT_HEADROOM, largeFrameCount, DEFAULT_LARGE_FRAME_SIZE);
    }

    /**
     * @param largeFrameCount how many large frames follow the normal ones (0 = none)
     * @param largeFrameSize size of each large frame: a multiple of the page size, at least frameSize
     */
    public FrameSlab(int frameCount, int frameSize, int headroom, int largeFrameCount, int largeFrameSize) {
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
        if (largeFrameCount < 0 || largeFrameCount > 65_536) {
            throw new IllegalArgumentException("largeFrameCount out of range [0, 65536]: " + largeFrameCount);
        }
        if (largeFrameSize % PAGE_SIZE != 0 || largeFrameSize < frameSize || largeFrameSize > 1 << 20) {
            throw new IllegalArgumentException("largeFrameSize must be a multiple of " + PAGE_SIZE
                    + " in [frameSize, 1 MiB]: " + largeFrameSize);
        }
        this.frameSize = frameSize;
        this.frameShift = Integer.numberOfTrailingZeros(frameSize);
        this.frameCount = frameCount;
        this.headroom = headroom;
        this.largeFrameCount = largeFrameCount;
        this.largeFrameSize = largeFrameSize;
        this.largeRegionStart = (long) frameCount * frameSize;
        this.arena = Arena.ofShared();
        this.memory = arena.allocate(largeRegionStart + (long) largeFrameCount * largeFrameSize, PAGE_SIZE);
        int total = frameCount + largeFrameCount;
        this.dataOffset = new int[total];
        this.dataLength = new int[total];
        this.inPort = new int[total];
        this.offloadFlags = new byte[total];
        this.gsoType = new byte[total];
        this.gsoSize = new short[total];
        this.gsoHeaderLength = new short[total];
        this.csumStart = new short[total];
        this.csumOffset = new short[total];
        for (int f = 0; f < total; f++) {
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

    /** Number of normal frames (indices 0..frameCount-1). */
    public int frameCount() {
        return frameCount;
    }

    /** Number of large frames (indices frameCount..frameCount+largeFrameCount-1). */
    public int largeFrameCount() {
        return largeFrameCount;
    }

    /** Normal and large frames together: the size of any per-frame array indexed by frame. */
    public int totalFrameCount() {
        return frameCount + largeFrameCount;
    }

    public int largeFrameSize() {
        return largeFrameSize;
    }

    /** Index of the first large frame (= frameCount()). */
    public int firstLargeFrame() {
        return frameCount;
    }

    /** Bytes of the normal region, from the slab start: what the AF_XDP UMEM covers. */
    public long normalRegionSize() {
        return largeRegionStart;
    }

    public boolean isLarge(int frame) {
        return frame >= frameCount;
    }

    /** Size of the given frame (frameSize or largeFrameSize). */
    public int capacity(int frame) {
        return frame < frameCount ? frameSize : largeFrameSize;
    }

    public int headroom() {
        return headroom;
    }

    /** Byte offset of the frame's first byte in {@link #memory()}. */
    public long frameStart(int frame) {
        return frame < frameCount
                ? (long) frame << frameShift
                : largeRegionStart + (long) (frame - frameCount) * largeFrameSize;
    }

    /** The normal frame that holds the given slab offset (as an AF_XDP descriptor address is). */
    public int frameOf(long slabOffset) {
        return (int) (slabOffset >>> frameShift);
    }

    /** Byte offset of the packet's first byte (the Ethernet header) in {@link #memory()}. */
    public long dataStart(int frame) {
        return frameStart(frame) + dataOffset[frame];
    }

    public int dataOffset(int frame) {
        return dataOffset[frame];
    }

    public int length(int frame) {
        return dataLength[frame];
    }

    /** Bytes the packet may still grow to at its end. */
    public int tailroom(int frame) {
        return capacity(frame) - dataOffset[frame] - dataLength[frame];
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
        shiftOffloadOffsets(frame, bytes);
        return frameStart(frame) + offset;
    }

    /** Removes {@code bytes} from the packet's front (to strip an outer header). */
    public void strip(int frame, int bytes) {
        dataOffset[frame] += bytes;
        dataLength[frame] -= bytes;
        shiftOffloadOffsets(frame, -bytes);
    }

    // csum_start and hdr_len count from the packet's first byte: keep them on the same bytes.
    private void shiftOffloadOffsets(int frame, int bytes) {
        if ((offloadFlags[frame] & NEEDS_CSUM) != 0) {
            csumStart[frame] = (short) (csumStart[frame] + bytes);
        }
        if (gsoType[frame] != GSO_NONE) {
            gsoHeaderLength[frame] = (short) (gsoHeaderLength[frame] + bytes);
        }
    }

    public int inPort(int frame) {
        return inPort[frame];
    }

    public void setInPort(int frame, int port) {
        inPort[frame] = port;
    }

    /** Offload flags: {@link #NEEDS_CSUM}, {@link #DATA_VALID} (0 = checksums complete). */
    public int offloadFlags(int frame) {
        return offloadFlags[frame] & 0xff;
    }

    /** GSO type ({@link #GSO_NONE}, {@link #GSO_TCPV4}, {@link #GSO_TCPV6}, {@link #GSO_UDP}, maybe | {@link #GSO_ECN}). */
    public int gsoType(int frame) {
        return gsoType[frame] & 0xff;
    }

    /** Payload bytes per segment of a GSO frame (the MSS for TCP). */
    public int gsoSize(int frame) {
        return gsoSize[frame] & 0xffff;
    }

    /** Bytes of headers in front of the payload as the sender stated it (a hint; may be 0). */
    public int gsoHeaderLength(int frame) {
        return gsoHeaderLength[frame] & 0xffff;
    }

    /** Where checksumming starts, from the packet's first byte (with {@link #NEEDS_CSUM}). */
    public int csumStart(int frame) {
        return csumStart[frame] & 0xffff;
    }

    /** Where the checksum goes, from csumStart (with {@link #NEEDS_CSUM}). */
    public int csumOffset(int frame) {
        return csumOffset[frame] & 0xffff;
    }

    /** Sets the offload flags and, with {@link #NEEDS_CSUM}, where the partial checksum lives. */
    public void setChecksumOffload(int frame, int flags, int start, int offset) {
        offloadFlags[frame] = (byte) flags;
        csumStart[frame] = (short) start;
        csumOffset[frame] = (short) offset;
    }

    /** Marks the frame as a GSO super-frame to be cut into {@code size}-byte payload segments. */
    public void setGso(int frame, int type, int size, int headerLength) {
        gsoType[frame] = (byte) type;
        gsoSize[frame] = (short) size;
        gsoHeaderLength[frame] = (short) headerLength;
    }

    /** Drops all offload state: checksums complete, no segmentation. */
    public void clearOffload(int frame) {
        offloadFlags[frame] = 0;
        gsoType[frame] = GSO_NONE;
    }

    /** Copies the offload state of {@code from} to {@code to}. */
    public void copyOffload(int from, int to) {
        offloadFlags[to] = offloadFlags[from];
        gsoType[to] = gsoType[from];
        gsoSize[to] = gsoSize[from];
        gsoHeaderLength[to] = gsoHeaderLength[from];
        csumStart[to] = csumStart[from];
        csumOffset[to] = csumOffset[from];
    }

    /** Makes the frame empty with the default headroom and no offload state, as it leaves the pool. */
    public void reset(int frame) {
        dataOffset[frame] = headroom;
        dataLength[frame] = 0;
        offloadFlags[frame] = 0;
        gsoType[frame] = GSO_NONE;
    }

    @Override
    public void close() {
        arena.close();
    }
}
