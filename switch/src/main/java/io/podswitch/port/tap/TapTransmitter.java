package io.podswitch.port.tap;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.IoVec;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.Native;
import io.podswitch.nativeio.VirtioNetHeader;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.packet.TcpCoalescer;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The transmit state of one thread on a {@link TapPort}: its errno capture, iovec array, spare
 * virtio-net header, software-GRO coalescer and counters. Every worker that routes to a pod transmits
 * on its TAP (the graph uses one transmit queue index on every port) and a tun descriptor takes whole
 * frames from several threads at once, so each thread gets its own state instead of a queue — no
 * lock, no shared write (the same rule as the UDP uplink's {@code TransmitContext}). Receive state is
 * per queue, in {@link TapPort}: a worker polling a queue and another transmitting never share a buffer.
 *
 * <p>Made on a thread's first transmit through the port (once per port and worker), never after.
 */
final class TapTransmitter {
    /** The largest GSO frame passed on: a 64 KiB IP packet plus Ethernet header and VLAN tag. */
    private static final int MAX_GSO_FRAME = 65_535 + TapPort.L2_OVERHEAD;
    /** The most segments one coalesced write carries: 64 KiB of 1,448-byte segments is 46. */
    private static final int MAX_COALESCED = 64;
    /** Vector positions the coalescer considers (a worker's burst; later frames go one by one). */
    private static final int COALESCE_WINDOW = 256;
    /** virtio-net header fields are little endian; x86's native order. */
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final int VNET_HEADER_SIZE = TapPort.VNET_HEADER_SIZE;

    private final int mtu;
    private final boolean offloads;
    private final MemorySegment errno;
    private final MemorySegment iov;
    private final MemorySegment header;
    private final TcpCoalescer coalescer;
    final SimplePortCounters counters = new SimplePortCounters();
    final OffloadCounters offloadCounters = new OffloadCounters();

    TapTransmitter(int mtu, boolean offloads, Arena arena) {
        this.mtu = mtu;
        this.offloads = offloads;
        this.errno = Native.errnoSegment(arena);
        this.iov = arena.allocate(IoVec.LAYOUT, 1 + MAX_COALESCED);
        this.header = arena.allocate(VNET_HEADER_SIZE, 8);
        this.coalescer = new TcpCoalescer(COALESCE_WINDOW, MAX_COALESCED);
    }

    /** Writes every frame of {@code from} to {@code fd}, frees it, clears the vector (see {@link TapPort#transmit}). */
    int transmit(int fd, PacketVector from, FrameCache cache) {
        FrameSlab slab = cache.slab();
        int maxLength = mtu + TapPort.L2_OVERHEAD;
        int count = from.size();
        int sent = 0;
        long bytes = 0;
        int malformed = 0;
        int oversize = 0;
        int full = 0;
        int down = 0;
        int ioError = 0;
        int large = 0;
        int coalesced = 0;
        boolean withOffloads = offloads;
        TcpCoalescer gro = coalescer;
        if (withOffloads) {
            gro.begin(slab, maxLength);
        }
        for (int i = 0; i < count; i++) {
            int frame = from.frame(i);
            int length = slab.length(frame);
            int run = withOffloads ? gro.run(from, i) : 1;
            long n;
            int written = length;
            if (run > 1) {
                // Counted as the frames it carries (sent + dropped = the vector, as for every port);
                // their bytes are the frames' own, as if written one by one.
                for (int k = i + 1; k < i + run; k++) {
                    length += slab.length(from.frame(k));
                }
                written = gro.merge(from, i, run);
                n = writeRun(fd, slab, from, i, run);
            } else {
                // A GSO super-frame is as long as its segments together; the kernel cuts it for the pod.
                boolean gso = withOffloads && slab.gsoType(frame) != FrameSlab.GSO_NONE;
                if (length < TapPort.ETHERNET_HEADER) {
                    malformed++;
                    cache.free(frame);
                    continue;
                }
                if (length > maxLength && !(gso && length <= MAX_GSO_FRAME)) {
                    oversize++;
                    cache.free(frame);
                    continue;
                }
                n = writeOne(fd, slab, frame, withOffloads);
            }
            if (n >= 0) {
                sent += run;
                bytes += length;
                if (written > maxLength) {
                    large++;
                }
                if (run > 1) {
                    coalesced += run;
                }
            } else if (n == -Errno.EAGAIN || n == -Errno.ENOBUFS) {
                full += run;
            } else if (n == -Errno.EIO) {
                down += run; // tun refuses writes while the interface is down
            } else {
                ioError += run;
            }
            for (int k = i; k < i + run; k++) {
                cache.free(from.frame(k));
            }
            i += run - 1;
        }
        from.clear();
        SimplePortCounters c = counters;
        if (sent > 0) {
            c.transmitted(sent, bytes);
            if (large > 0) {
                offloadCounters.transmittedLarge(large);
            }
            if (coalesced > 0) {
                offloadCounters.coalesced(coalesced);
            }
        }
        if ((malformed | oversize | full | down | ioError) != 0) {
            TapPort.countDrops(c, 0, malformed, oversize, ioError);
            if (full > 0) {
                c.dropped(PortDropReason.TX_FULL, full);
            }
            if (down > 0) {
                c.dropped(PortDropReason.LINK_DOWN, down);
            }
        }
        return sent;
    }

    /** One frame, one write: the virtio-net header in the headroom right in front of the packet. */
    private long writeOne(int fd, FrameSlab slab, int frame, boolean withOffloads) {
        MemorySegment memory = slab.memory();
        long base = memory.address();
        int offset = slab.dataOffset(frame);
        int length = slab.length(frame);
        if (offset >= VNET_HEADER_SIZE) {
            long at = slab.frameStart(frame) + offset - VNET_HEADER_SIZE;
            writeHeader(memory, at, slab, frame, withOffloads);
            return Libc.write(errno, fd, base + at, VNET_HEADER_SIZE + length);
        }
        // No headroom left (a node prepended into all of it): gather a separate header.
        MemorySegment h = header;
        writeHeader(h, 0, slab, frame, withOffloads);
        MemorySegment v = iov;
        IoVec.set(v, 0, h.address(), VNET_HEADER_SIZE);
        IoVec.set(v, 1, base + slab.frameStart(frame) + offset, length);
        return Libc.writev(errno, fd, v.address(), 2);
    }

    /**
     * A coalesced run (see {@link TcpCoalescer}), one writev: the header, the merged head frame whole,
     * then only the payload of each following frame.
     */
    private long writeRun(int fd, FrameSlab slab, PacketVector from, int start, int run) {
        TcpCoalescer gro = coalescer;
        long base = slab.memory().address();
        int head = from.frame(start);
        MemorySegment h = header;
        writeHeader(h, 0, slab, head, true);
        MemorySegment v = iov;
        IoVec.set(v, 0, h.address(), VNET_HEADER_SIZE);
        IoVec.set(v, 1, base + slab.dataStart(head), slab.length(head));
        for (int k = 1; k < run; k++) {
            int frame = from.frame(start + k);
            IoVec.set(v, k + 1, base + slab.dataStart(frame) + gro.payloadOffset(start + k), gro.payloadLength(start + k));
        }
        return Libc.writev(errno, fd, v.address(), run + 1);
    }

    /**
     * The virtio-net header for a frame: its offload metadata when offloads are on (a super-frame and a
     * partial checksum pass through to the kernel, which finishes them), all zero otherwise.
     *
     * <pre>
     *  0       1        2           4           6             8              10            12
     *  | flags |gso_type| hdr_len   | gso_size  | csum_start  | csum_offset  | num_buffers |
     * </pre>
     */
    private static void writeHeader(MemorySegment m, long at, FrameSlab slab, int frame, boolean withOffloads) {
        VirtioNetHeader.clear(m, at);
        if (!withOffloads) {
            return;
        }
        int flags = slab.offloadFlags(frame) & VirtioNetHeader.FLAG_NEEDS_CSUM;
        int gsoType = slab.gsoType(frame);
        if ((flags | gsoType) == 0) {
            return;
        }
        m.set(ValueLayout.JAVA_BYTE, at + VirtioNetHeader.FLAGS, (byte) flags);
        if (flags != 0) {
            m.set(LE_SHORT, at + VirtioNetHeader.CSUM_START, (short) slab.csumStart(frame));
            m.set(LE_SHORT, at + VirtioNetHeader.CSUM_OFFSET, (short) slab.csumOffset(frame));
        }
        if (gsoType != FrameSlab.GSO_NONE) {
            int length = slab.length(frame);
            int hdrLen = slab.gsoHeaderLength(frame);
            m.set(ValueLayout.JAVA_BYTE, at + VirtioNetHeader.GSO_TYPE, (byte) gsoType);
            m.set(LE_SHORT, at + VirtioNetHeader.GSO_SIZE, (short) slab.gsoSize(frame));
            // A hint for the kernel's linear part; never more than the packet (tun refuses that).
            m.set(LE_SHORT, at + VirtioNetHeader.HDR_LEN, (short) Math.min(hdrLen, length));
        }
    }
}
