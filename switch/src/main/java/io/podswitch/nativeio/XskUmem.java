package io.podswitch.nativeio;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The packet memory shared by AF_XDP sockets: a page-aligned region cut into equal chunks (the
 * switch registers its frame slab, so a frame index is a chunk index and forwarding between AF_XDP
 * ports copies nothing).
 *
 * <p>The kernel registers the UMEM on the first socket ({@code XDP_UMEM_REG}); every later socket
 * binds with {@code XDP_SHARED_UMEM} naming a bound socket's fd, and brings its own fill and
 * completion rings (one pair per interface queue). This object remembers the bound sockets so a new
 * one always has a live one to share from. Control-plane only; methods are synchronized.
 *
 * <pre>
 *   addr (page aligned)
 *   +---------+---------+---------+-----+-----------+
 *   | chunk 0 | chunk 1 | chunk 2 | ... | chunk n-1 |   chunkSize each (2048 or 4096)
 *   +---------+---------+---------+-----+-----------+
 *   one chunk as the kernel fills it on receive:
 *   +----------------+-----------------------------+-----------------+
 *   | umem headroom  | XDP_PACKET_HEADROOM (256)   | packet ...      |
 *   +----------------+-----------------------------+-----------------+
 * </pre>
 */
public final class XskUmem {
    /** Headroom the kernel always keeps in front of received data, on top of the UMEM headroom. */
    public static final int XDP_PACKET_HEADROOM = 256;
    static final long PAGE_SIZE = 4096;

    private final MemorySegment memory;
    private final int chunkSize;
    private final int headroom;
    private final List<XskSocket> bound = new ArrayList<>();

    /**
     * @param memory the region to register (page aligned, a whole number of chunks)
     * @param chunkSize a power of two from 2048 to 4096
     * @param headroom bytes the kernel leaves free before {@link #XDP_PACKET_HEADROOM} on receive
     */
    public XskUmem(MemorySegment memory, int chunkSize, int headroom) {
        if (Integer.bitCount(chunkSize) != 1 || chunkSize < 2048 || chunkSize > PAGE_SIZE) {
            throw new IllegalArgumentException("UMEM chunk size must be a power of two in [2048, 4096]: " + chunkSize);
        }
        if (memory.address() % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("UMEM must be page aligned: 0x" + Long.toHexString(memory.address()));
        }
        if (memory.byteSize() == 0 || memory.byteSize() % chunkSize != 0) {
            throw new IllegalArgumentException("UMEM length " + memory.byteSize() + " is not a multiple of " + chunkSize);
        }
        if (headroom < 0 || headroom + XDP_PACKET_HEADROOM >= chunkSize / 2) {
            throw new IllegalArgumentException("UMEM headroom out of range: " + headroom);
        }
        this.memory = memory;
        this.chunkSize = chunkSize;
        this.headroom = headroom;
    }

    public MemorySegment memory() {
        return memory;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public int headroom() {
        return headroom;
    }

    public long chunkCount() {
        return memory.byteSize() / chunkSize;
    }

    /** Offset from a chunk's start at which the kernel places received data. */
    public int receiveOffset() {
        return headroom + XDP_PACKET_HEADROOM;
    }

    /** A bound socket to share the registration from, or null when the next socket must register. */
    synchronized XskSocket shareFrom() {
        return bound.isEmpty() ? null : bound.getFirst();
    }

    synchronized void bound(XskSocket socket) {
        bound.add(socket);
    }

    synchronized void closed(XskSocket socket) {
        bound.remove(socket);
    }

    /** Sockets currently bound over this UMEM. */
    public synchronized int socketCount() {
        return bound.size();
    }
}
