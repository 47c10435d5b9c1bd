package io.podswitch.port.tap;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.IoUring;
import io.podswitch.nativeio.IoVec;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.Native;
import io.podswitch.nativeio.VirtioNetHeader;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.PacketVector;
import io.podswitch.packet.TcpCoalescer;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;
import io.podswitch.port.ring.ThreadRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The transmit state of one thread on a {@link TapPort}: its errno capture, iovecs, spare virtio-net
 * headers, software-GRO coalescer and counters. Every worker that routes to a pod transmits on its TAP
 * (the graph uses one transmit queue index on every port) and a tun descriptor takes whole frames from
 * several threads at once, so each thread gets its own state instead of a queue — no lock, no shared
 * write (the same rule as the UDP uplink's {@code TransmitContext}). Receive state is per queue, in
 * {@link TapPort}: a worker polling a queue and another transmitting never share a buffer.
 *
 * <p>A burst is written in two steps: every frame (or run of coalesced segments) becomes a write —
 * {@code write}/{@code writev} at once, or, when the thread has a {@link ThreadRing}, an SQE — and then
 * the writes are settled: the ring submits them all in one {@code io_uring_enter} (tun takes them
 * inline, so their completions are there when it returns), the results are counted, the frames freed.
 *
 * <pre>
 *   frame with headroom:  WRITE_FIXED (registered slab) of [vnet header in the headroom | packet]
 *   no headroom:          WRITEV [spare header] [packet]
 *   coalesced run:        WRITEV [spare header] [merged head frame] [payload 2] ... [payload n]
 * </pre>
 *
 * Made on a thread's first transmit through the port (once per port and thread), never after.
 */
final class TapTransmitter {
    /** The largest GSO frame passed on: a 64 KiB IP packet plus Ethernet header and VLAN tag. */
    private static final int MAX_GSO_FRAME = 65_535 + TapPort.L2_OVERHEAD;
    /** The most segments one coalesced write carries: 64 KiB of 1,448-byte segments is 46. */
    private static final int MAX_COALESCED = 64;
    /** Vector positions the coalescer considers (a worker's burst; later frames go one by one). */
    private static final int COALESCE_WINDOW = 256;
    /** Writes issued before they are settled (a longer burst is settled in parts). */
    private static final int BATCH = 256;
    /** iovecs of one batch: a header and a frame per write, plus the payloads of coalesced runs. */
    private static final int BATCH_IOVECS = 2 * BATCH + MAX_COALESCED;
    /** virtio-net header fields are little endian; x86's native order. */
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** UDP (8) and VXLAN or option-less Geneve (8) header bytes between the outer IP and the inner Ethernet header. */
    private static final int UDP_AND_TUNNEL_HEADERS = 16;
    /** Spare headers are 32 bytes apart (aligned; room for the 24-byte tunnel header). */
    private static final int HEADER_STRIDE = 32;

    private final int mtu;
    private final boolean offloads;
    /** The port's virtio-net header size: 12, or 24 on a TAP with tunnel offloads. */
    private final int headerSize;
    /** The thread's ring, or null: plain {@code write}s. */
    private final ThreadRing ring;
    private final boolean fixed;
    private final MemorySegment errno;
    private final MemorySegment iov;
    private final MemorySegment headers;
    private final TcpCoalescer coalescer;
    final SimplePortCounters counters = new SimplePortCounters();
    final OffloadCounters offloadCounters = new OffloadCounters();

    /** The writes of the batch being issued: first vector position, frames, bytes, bytes written, result. */
    private final int[] start = new int[BATCH];
    private final int[] run = new int[BATCH];
    private final int[] bytes = new int[BATCH];
    private final int[] written = new int[BATCH];
    private final long[] result = new long[BATCH];
    private int writes;
    private int iovUsed;

    TapTransmitter(int mtu, boolean offloads, int headerSize, Arena arena, ThreadRing ring) {
        this.mtu = mtu;
        this.offloads = offloads;
        this.headerSize = headerSize;
        this.ring = ring;
        this.fixed = ring != null && ring.hasFixedSlab();
        this.errno = Native.errnoSegment(arena);
        this.iov = arena.allocate(IoVec.LAYOUT, BATCH_IOVECS);
        this.headers = arena.allocate((long) HEADER_STRIDE * BATCH, 16);
        this.coalescer = new TcpCoalescer(COALESCE_WINDOW, MAX_COALESCED);
    }

    /** Writes every frame of {@code from} to {@code fd}, frees it, clears the vector (see {@link TapPort#transmit}). */
    int transmit(int fd, PacketVector from, FrameCache cache) {
        FrameSlab slab = cache.slab();
        int maxLength = mtu + TapPort.L2_OVERHEAD;
        int count = from.size();
        int malformed = 0;
        int oversize = 0;
        boolean withOffloads = offloads;
        TcpCoalescer gro = coalescer;
        if (withOffloads) {
            gro.begin(slab, maxLength);
        }
        int sent = 0;
        for (int i = 0; i < count; i++) {
            int frame = from.frame(i);
            int length = slab.length(frame);
            int n = withOffloads ? gro.run(from, i) : 1;
            int out = length;
            if (n > 1) {
                // Counted as the frames it carries (sent + dropped = the vector, as for every port);
                // their bytes are the frames' own, as if written one by one.
                for (int k = i + 1; k < i + n; k++) {
                    length += slab.length(from.frame(k));
                }
                if (iovUsed + n + 1 > BATCH_IOVECS) {
                    sent += settle(from, cache);
                }
                out = gro.merge(from, i, n);
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
                if (iovUsed + 2 > BATCH_IOVECS) {
                    sent += settle(from, cache);
                }
            }
            int w = writes;
            start[w] = i;
            run[w] = n;
            bytes[w] = length;
            written[w] = out;
            writes++;
            if (n > 1) {
                issueRun(w, fd, slab, from, i, n);
            } else {
                issueOne(w, fd, slab, frame, withOffloads);
            }
            if (writes == BATCH) {
                sent += settle(from, cache);
            }
            i += n - 1;
        }
        sent += settle(from, cache);
        from.clear();
        if ((malformed | oversize) != 0) {
            TapPort.countDrops(counters, 0, malformed, oversize, 0);
        }
        return sent;
    }

    /** One frame, one write: the virtio-net header in the headroom right in front of the packet. */
    private void issueOne(int w, int fd, FrameSlab slab, int frame, boolean withOffloads) {
        MemorySegment memory = slab.memory();
        long base = memory.address();
        int offset = slab.dataOffset(frame);
        int length = slab.length(frame);
        int hs = headerSize;
        if (offset >= hs) {
            long at = slab.frameStart(frame) + offset - hs;
            writeHeader(memory, at, hs, slab, frame, withOffloads);
            if (ring == null) {
                result[w] = Libc.write(errno, fd, base + at, hs + length);
            } else {
                IoUring u = ring.uring();
                long userData = ring.writeUserData(w);
                while (!(fixed ? u.prepWriteFixed(fd, base + at, hs + length, userData)
                        : u.prepWrite(fd, base + at, hs + length, userData))) {
                    ring.submitAndDispatch(); // the submission ring is full: hand it to the kernel first
                }
            }
            return;
        }
        // No headroom left (a node prepended into all of it): gather a separate header.
        long h = (long) HEADER_STRIDE * w;
        writeHeader(headers, h, hs, slab, frame, withOffloads);
        int v = iovUsed;
        IoVec.set(iov, v, headers.address() + h, hs);
        IoVec.set(iov, v + 1, base + slab.frameStart(frame) + offset, length);
        iovUsed += 2;
        writev(w, fd, v, 2);
    }

    /**
     * A coalesced run (see {@link TcpCoalescer}), one writev: the header, the merged head frame whole,
     * then only the payload of each following frame.
     */
    private void issueRun(int w, int fd, FrameSlab slab, PacketVector from, int first, int n) {
        TcpCoalescer gro = coalescer;
        long base = slab.memory().address();
        int head = from.frame(first);
        long h = (long) HEADER_STRIDE * w;
        writeHeader(headers, h, headerSize, slab, head, true);
        int v = iovUsed;
        IoVec.set(iov, v, headers.address() + h, headerSize);
        IoVec.set(iov, v + 1, base + slab.dataStart(head), slab.length(head));
        for (int k = 1; k < n; k++) {
            int frame = from.frame(first + k);
            IoVec.set(iov, v + k + 1, base + slab.dataStart(frame) + gro.payloadOffset(first + k),
                    gro.payloadLength(first + k));
        }
        iovUsed += n + 1;
        writev(w, fd, v, n + 1);
    }

    private void writev(int w, int fd, int firstIov, int count) {
        long at = iov.address() + (long) firstIov * IoVec.LAYOUT.byteSize();
        if (ring == null) {
            result[w] = Libc.writev(errno, fd, at, count);
            return;
        }
        long userData = ring.writeUserData(w);
        while (!ring.uring().prepWritev(fd, at, count, userData)) {
            ring.submitAndDispatch();
        }
    }

    /**
     * Settles the writes issued so far: through the ring, submits them and waits until each has its
     * result; then counts results, frees every frame they carried, and starts a new batch.
     * @return frames sent
     */
    private int settle(PacketVector from, FrameCache cache) {
        int n = writes;
        if (n == 0) {
            return 0;
        }
        if (ring != null) {
            ring.settleWrites(n, result);
        }
        int sent = 0;
        long sentBytes = 0;
        int full = 0;
        int down = 0;
        int ioError = 0;
        int large = 0;
        int coalesced = 0;
        int maxLength = mtu + TapPort.L2_OVERHEAD;
        for (int w = 0; w < n; w++) {
            long r = result[w];
            int frames = run[w];
            if (r >= 0) {
                sent += frames;
                sentBytes += bytes[w];
                if (written[w] > maxLength) {
                    large++;
                }
                if (frames > 1) {
                    coalesced += frames;
                }
            } else if (r == -Errno.EAGAIN || r == -Errno.ENOBUFS) {
                full += frames;
            } else if (r == -Errno.EIO) {
                down += frames; // tun refuses writes while the interface is down
            } else {
                ioError += frames;
            }
            for (int k = start[w]; k < start[w] + frames; k++) {
                cache.free(from.frame(k));
            }
        }
        writes = 0;
        iovUsed = 0;
        SimplePortCounters c = counters;
        if (sent > 0) {
            c.transmitted(sent, sentBytes);
            if (large > 0) {
                offloadCounters.transmittedLarge(large);
            }
            if (coalesced > 0) {
                offloadCounters.coalesced(coalesced);
            }
        }
        if ((full | down | ioError) != 0) {
            TapPort.countDrops(c, 0, 0, 0, ioError);
            if (full > 0) {
                c.dropped(PortDropReason.TX_FULL, full);
            }
            if (down > 0) {
                c.dropped(PortDropReason.LINK_DOWN, down);
            }
        }
        return sent;
    }

    /**
     * The virtio-net header for a frame: its offload metadata when offloads are on (a super-frame and a
     * partial checksum pass through to the kernel, which finishes them), all zero otherwise.
     *
     * <pre>
     *  0       1        2           4           6             8              10            12
     *  | flags |gso_type| hdr_len   | gso_size  | csum_start  | csum_offset  | num_buffers |
     * </pre>
     * A tunnel super-frame ({@link FrameSlab#GSO_UDP_TUNNEL} bits in its GSO type, 24-byte header) also
     * gets the outer UDP and the inner IP header offsets ({@link #writeTunnelOffsets}).
     */
    private static void writeHeader(MemorySegment m, long at, int size, FrameSlab slab, int frame,
                                    boolean withOffloads) {
        VirtioNetHeader.clear(m, at, size);
        if (!withOffloads) {
            return;
        }
        int flags = slab.offloadFlags(frame) & (VirtioNetHeader.FLAG_NEEDS_CSUM | VirtioNetHeader.FLAG_UDP_TUNNEL_CSUM);
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
            if ((gsoType & FrameSlab.GSO_UDP_TUNNEL) != 0 && size == VirtioNetHeader.TUNNEL_SIZE) {
                writeTunnelOffsets(m, at, slab, frame);
            }
        }
    }

    /**
     * The outer UDP header's and the inner IP header's offsets of a tunnel super-frame, read from its
     * outer headers: Ethernet, IPv4 (its IHL) or IPv6 (no extension headers), UDP, then the 8-byte VXLAN
     * or option-less Geneve header and the inner Ethernet header — the stack the switch's Encapsulator
     * builds, the only source of such frames. The frame was checked long enough when it was encapsulated.
     */
    private static void writeTunnelOffsets(MemorySegment m, long at, FrameSlab slab, int frame) {
        MemorySegment memory = slab.memory();
        long p = slab.dataStart(frame);
        boolean ip6 = (slab.gsoType(frame) & FrameSlab.GSO_UDP_TUNNEL_IPV6) != 0;
        int outerTransport = TapPort.ETHERNET_HEADER
                + (ip6 ? Ip6.HEADER_LENGTH : (Bytes.u8(memory, p + TapPort.ETHERNET_HEADER) & 0xf) * 4);
        int innerNetwork = outerTransport + UDP_AND_TUNNEL_HEADERS + TapPort.ETHERNET_HEADER;
        m.set(LE_SHORT, at + VirtioNetHeader.OUTER_TH_OFFSET, (short) outerTransport);
        m.set(LE_SHORT, at + VirtioNetHeader.INNER_NH_OFFSET, (short) innerNetwork);
    }
}
