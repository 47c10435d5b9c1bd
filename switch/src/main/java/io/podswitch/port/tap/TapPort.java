package io.podswitch.port.tap;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.IoVec;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.Native;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.Tun;
import io.podswitch.nativeio.VirtioNetHeader;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.packet.TcpCoalescer;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.PortOffloads;
import io.podswitch.port.SimplePortCounters;
import io.podswitch.port.ring.ThreadRing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A TAP interface as a switch port: {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}, non-blocking, one
 * descriptor per queue. Packets move straight between the kernel and frame memory, no copy in Java.
 *
 * <p>The 12-byte virtio-net header sits in the frame's headroom, right in front of the packet, so
 * one {@code read}/{@code write} moves header and packet together and the Ethernet header lands at
 * the frame's data offset:
 * <pre>
 *  frame start                       dataOffset (= headroom on receive)
 *  |                                 |
 *  v                                 v
 *  +----------------------+----------+-----------------------------------+------+
 *  | headroom (free)      | vnet hdr | Ethernet frame (14..1518 bytes)   | tail |
 *  |                      | 12 bytes |                                   |      |
 *  +----------------------+----------+-----------------------------------+------+
 *                         ^ read()/write() start here, length = 12 + packet
 * </pre>
 * Offloads off ({@code TUNSETOFFLOAD 0}): the kernel finishes checksums and segments before handing
 * packets over, so every frame fits the 2 KiB frame and the header is all zero both ways.
 *
 * <p>Offloads on ({@link TapPortConfig#offloads()}, {@code TUNSETOFFLOAD CSUM|TSO4|TSO6|TSO_ECN}): the
 * kernel hands over TCP super-frames of up to 64 KiB and packets with a partial checksum, described by
 * the header, which is copied into the frame's offload metadata ({@link FrameSlab#gsoType} ...). A
 * receive is a {@code readv} of two pieces: header + the normal frame, then the rest of a spare large
 * frame of the slab:
 * <pre>
 *  normal frame  | headroom | hdr | packet bytes 0 .. 1791 |                 iovec 0
 *  large frame   | headroom |       (copy of 0 .. 1791)   | bytes 1792 ...  iovec 1 (up to 64 KiB)
 * </pre>
 * A packet that fits the normal frame costs nothing more than before (the spare stays untouched);
 * a longer one gets its first 1792 bytes copied into the large frame, which becomes the packet, and
 * the normal frame goes back. One spare per burst is taken from the pool and returned at its end.
 * Transmit writes the frame's offload metadata into the header, so a super-frame passes to the pod
 * as one write and a partial checksum stays partial (the kernel finishes both).
 *
 * <p>The tun driver has no multi-packet read or write. When the polling worker has an io_uring
 * ({@link #ringAttached}), a queue is read by a multishot read armed once ({@link TapRingReceiver}) and
 * a thread's writes of a burst go to the kernel in one {@code io_uring_enter} ({@link TapTransmitter});
 * otherwise receive and transmit loop over the burst with one system call per packet (see
 * docs/nativeio.md for the measurements). With offloads, transmit first coalesces consecutive segments of
 * one TCP flow ({@link TcpCoalescer}) and writes each such run as one GSO super-frame with one
 * {@code writev}. Both paths are allocation free and never throw on the data path; every dropped packet
 * is counted by reason.
 */
public final class TapPort implements Port {
    /** virtio_net_hdr_mrg_rxbuf: 12 bytes (TUNSETVNETHDRSZ 12), the size virtio 1.0 always uses. */
    public static final int VNET_HEADER_SIZE = VirtioNetHeader.SIZE;
    static final int ETHERNET_HEADER = 14;
    /** Ethernet header plus one VLAN tag on top of the MTU. */
    static final int L2_OVERHEAD = ETHERNET_HEADER + 4;
    private static final int DISCARD_BYTES = 64 * 1024;
    /** virtio-net header fields are little endian; x86's native order. */
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private final int id;
    private final String name;
    private final int mtu;
    private final boolean offloads;
    /** UDP tunnel offloads negotiated: whole VXLAN/Geneve super-frames both ways, 24-byte headers. */
    private final boolean tunnel;
    /** The virtio-net header in front of every packet: {@link #VNET_HEADER_SIZE}, or 24 with tunnel offloads. */
    private final int headerSize;
    /** Per receive queue: its offload counters (the receive half). */
    private final OffloadCounters[] offloadCounters;
    /** Cleared by {@link #clearPersistence} (control thread), read by whoever closes the port. */
    private volatile boolean persistent;
    private final int[] fds;
    /** Per queue, its descriptor: readable while the queue's kernel ring holds packets. */
    private final int[][] readiness;
    private final Arena arena;
    /** Per receive queue: errno capture and iovecs, used only by the worker polling that queue. */
    private final MemorySegment[] errno;
    private final MemorySegment[] iov;
    private final long discardAddress;
    /** Per receive queue: receive counters (one writer, the queue's poller). */
    private final SimplePortCounters[] queueCounters;
    /** Per transmitting thread (see {@link TapTransmitter}); made on a thread's first transmit. */
    private final ThreadLocal<TapTransmitter> transmitter = ThreadLocal.withInitial(this::newTransmitter);
    /** Per receive queue: its reader through the polling worker's io_uring, or null (plain {@code read}s). */
    private final TapRingReceiver[] ringReceivers;
    private volatile TapTransmitter[] transmitters = new TapTransmitter[0];
    private final PortCounters counters;
    private boolean closed;

    private TapPort(int id, TapPortConfig config, int[] fds, int mtu) {
        this.id = id;
        this.name = config.name();
        this.mtu = mtu;
        this.offloads = config.offloads();
        this.tunnel = config.tunnelOffloads();
        this.headerSize = config.vnetHeaderSize();
        this.persistent = config.persistent();
        this.fds = fds;
        this.arena = Arena.ofShared();
        int queues = fds.length;
        this.readiness = new int[queues][];
        for (int q = 0; q < queues; q++) {
            readiness[q] = new int[] {fds[q]};
        }
        this.errno = new MemorySegment[queues];
        this.iov = new MemorySegment[queues];
        this.queueCounters = new SimplePortCounters[queues];
        this.offloadCounters = new OffloadCounters[queues];
        this.ringReceivers = new TapRingReceiver[queues];
        for (int q = 0; q < queues; q++) {
            errno[q] = Native.errnoSegment(arena);
            iov[q] = arena.allocate(IoVec.LAYOUT, 2);
            queueCounters[q] = new SimplePortCounters();
            offloadCounters[q] = new OffloadCounters();
        }
        // Packets are only discarded when the pool is empty; one shared sink for all queues is fine
        // because its contents are never read.
        this.discardAddress = arena.allocate(DISCARD_BYTES, 64).address();
        this.counters = new SummedPortCounters(queueCounters, this::transmitCounters);
    }

    private synchronized TapTransmitter newTransmitter() {
        TapTransmitter t = new TapTransmitter(mtu, offloads, headerSize, arena, ThreadRing.current());
        TapTransmitter[] grown = java.util.Arrays.copyOf(transmitters, transmitters.length + 1);
        grown[grown.length - 1] = t;
        transmitters = grown;
        return t;
    }

    private SimplePortCounters[] transmitCounters() {
        TapTransmitter[] all = transmitters;
        SimplePortCounters[] out = new SimplePortCounters[all.length];
        for (int i = 0; i < all.length; i++) {
            out[i] = all[i].counters;
        }
        return out;
    }

    /**
     * Creates the TAP (or re-attaches to the persistent TAP of that name) in the calling thread's
     * network namespace, sets the header size, offloads, persistence, MTU and MAC, and brings it up.
     * A persistent TAP made in the other queue mode is attached in its own mode (single-queue: one
     * queue), so {@link #queueCount()} may be below the configured count.
     * On failure every descriptor opened so far is closed, and a TAP this call created is removed.
     */
    public static TapPort open(int id, TapPortConfig config) {
        String name = config.name();
        int flags = Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR
                | (config.queues() > 1 ? Tun.IFF_MULTI_QUEUE : 0);
        int queues = config.queues();
        boolean existed;
        try (Netlink netlink = Netlink.open()) {
            existed = netlink.findLink(name).isPresent();
        }
        int first;
        try {
            first = Tun.open(name, flags);
        } catch (NativeException e) {
            if (!existed || e.errno() != Errno.EINVAL) {
                throw e;
            }
            // A persistent TAP made in the other queue mode (a pod wired by a daemon configured
            // otherwise, or before pods had several queues): attach in its mode, one queue if single.
            flags ^= Tun.IFF_MULTI_QUEUE;
            queues = (flags & Tun.IFF_MULTI_QUEUE) != 0 ? queues : 1;
            first = Tun.open(name, flags);
        }
        int[] fds = new int[queues];
        java.util.Arrays.fill(fds, -1);
        fds[0] = first;
        try {
            for (int q = 1; q < fds.length; q++) {
                fds[q] = Tun.open(name, flags);
            }
            // Header size and offloads belong to the device, not the queue: set once.
            Tun.setVnetHeaderSize(fds[0], name, config.vnetHeaderSize());
            Tun.setOffload(fds[0], name, config.tunnelOffloads() ? Tun.TUN_F_TUNNEL_OFFLOADS
                    : config.offloads() ? Tun.TUN_F_TCP_OFFLOADS : 0);
            Tun.setPersistent(fds[0], name, config.persistent());
            int mtu;
            try (Netlink netlink = Netlink.open()) {
                if (config.mtu() != 0) {
                    netlink.setMtu(name, config.mtu());
                }
                if (config.mac() != 0) {
                    netlink.setMac(name, config.mac());
                }
                netlink.setLinkUp(name);
                mtu = netlink.link(name).mtu();
            }
            if (mtu > TapPortConfig.MAX_MTU) {
                throw new IllegalStateException("TAP " + name + " has MTU " + mtu + " (above "
                        + TapPortConfig.MAX_MTU + ", frames would not fit): set an MTU in its config");
            }
            return new TapPort(id, config, fds, mtu);
        } catch (RuntimeException e) {
            if (!existed && fds[0] >= 0) {
                // We created it: leave nothing behind, even if persistence was already switched on.
                try {
                    Tun.setPersistent(fds[0], name, false);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            for (int fd : fds) {
                Libc.close(fd);
            }
            throw e;
        }
    }

    /**
     * {@link #open} run inside another network namespace, e.g. to create a pod's eth0 right in the pod,
     * or to re-attach after a restart to a persistent TAP that was moved into a pod.
     */
    public static TapPort openIn(int netnsFd, String netnsLabel, int id, TapPortConfig config) {
        return Netns.call(netnsFd, netnsLabel, () -> open(id, config));
    }

    /**
     * Moves the interface into another network namespace and brings it up there (a move takes it
     * down). The port keeps its descriptors and keeps forwarding. MTU and MAC move with it.
     */
    public void moveToNetns(int netnsFd, String netnsLabel) {
        try (Netlink netlink = Netlink.open()) {
            netlink.moveToNetns(name, netnsFd);
        }
        Netns.run(netnsFd, netnsLabel, () -> {
            try (Netlink netlink = Netlink.open()) {
                netlink.setLinkUp(name);
            }
        });
    }

    @Override
    public int receive(int queue, PacketVector into, FrameCache cache) {
        TapRingReceiver ringReceiver = ringReceivers[queue];
        if (ringReceiver != null && !ringReceiver.unsupported()) {
            return ringReceiver.receive(into, cache);
        }
        if (offloads) {
            return receiveWithOffloads(queue, into, cache);
        }
        int fd = fds[queue];
        MemorySegment err = errno[queue];
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        long base = memory.address();
        int headroom = slab.headroom();
        if (headroom < VNET_HEADER_SIZE) {
            throw new IllegalStateException("frame headroom " + headroom + " < virtio-net header " + VNET_HEADER_SIZE);
        }
        // Room from the header's first byte to the frame's end; anything longer comes back truncated.
        long capacity = slab.frameSize() - headroom + VNET_HEADER_SIZE;
        int maxLength = mtu + L2_OVERHEAD;
        int budget = into.free();
        int received = 0;
        long bytes = 0;
        int noFrame = 0;
        int malformed = 0;
        int oversize = 0;
        int ioError = 0;
        for (int i = 0; i < budget; i++) {
            int frame = cache.allocate();
            if (frame < 0) {
                // Keep the kernel queue moving and make the loss visible instead of silently stalling.
                long n = Libc.read(err, fd, discardAddress, DISCARD_BYTES);
                if (n <= 0) {
                    break;
                }
                noFrame++;
                continue;
            }
            long header = slab.frameStart(frame) + headroom - VNET_HEADER_SIZE;
            long n = Libc.read(err, fd, base + header, capacity);
            if (n < 0) {
                cache.free(frame);
                if (n != -Errno.EAGAIN && n != -Errno.EINTR) {
                    ioError++;
                }
                break;
            }
            int length = (int) n - VNET_HEADER_SIZE;
            // A packet longer than the buffer comes back cut to exactly the buffer (Linux 6.x returns
            // the copied length, not the packet's), so a full buffer means "too long" as surely as a
            // length above the MTU does; the buffer is larger than any packet the MTU allows.
            if (n >= capacity || length > maxLength
                    || VirtioNetHeader.gsoType(memory, header) != VirtioNetHeader.GSO_NONE) {
                oversize++;
                cache.free(frame);
                continue;
            }
            if (length < ETHERNET_HEADER) {
                malformed++;
                cache.free(frame);
                continue;
            }
            slab.setData(frame, headroom, length);
            slab.setInPort(frame, id);
            into.add(frame);
            received++;
            bytes += length;
        }
        SimplePortCounters c = queueCounters[queue];
        if (received > 0) {
            c.received(received, bytes);
        }
        if ((noFrame | malformed | oversize | ioError) != 0) {
            countDrops(c, noFrame, malformed, oversize, ioError);
        }
        return received;
    }

    /** Receive with offloads: readv into header + normal frame + spare large frame (see the class comment). */
    private int receiveWithOffloads(int queue, PacketVector into, FrameCache cache) {
        int fd = fds[queue];
        MemorySegment err = errno[queue];
        MemorySegment v = iov[queue];
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        long base = memory.address();
        int headroom = slab.headroom();
        int hs = headerSize;
        if (headroom < hs) {
            throw new IllegalStateException("frame headroom " + headroom + " < virtio-net header " + hs);
        }
        int normalData = slab.frameSize() - headroom;
        long largeRest = (long) slab.largeFrameSize() - headroom - normalData;
        int maxLength = mtu + L2_OVERHEAD;
        int spare = cache.allocateLarge();
        int budget = into.free();
        int received = 0;
        long bytes = 0;
        int noFrame = 0;
        int malformed = 0;
        int oversize = 0;
        int ioError = 0;
        int large = 0;
        int partial = 0;
        for (int i = 0; i < budget; i++) {
            int frame = cache.allocate();
            if (frame < 0) {
                long n = Libc.read(err, fd, discardAddress, DISCARD_BYTES);
                if (n <= 0) {
                    break;
                }
                noFrame++;
                continue;
            }
            long header = slab.frameStart(frame) + headroom - hs;
            IoVec.set(v, 0, base + header, hs + normalData);
            long restCapacity;
            if (spare >= 0) {
                IoVec.set(v, 1, base + slab.frameStart(spare) + headroom + normalData, largeRest);
                restCapacity = largeRest;
            } else {
                // No large frame free: a super-frame is still read (to keep the queue moving) and counted.
                IoVec.set(v, 1, discardAddress, DISCARD_BYTES);
                restCapacity = DISCARD_BYTES;
            }
            long n = Libc.readv(err, fd, v.address(), 2);
            if (n < 0) {
                cache.free(frame);
                if (n != -Errno.EAGAIN && n != -Errno.EINTR) {
                    ioError++;
                }
                break;
            }
            int length = (int) n - hs;
            int gsoType = VirtioNetHeader.gsoType(memory, header);
            int tunnelBits = gsoType & VirtioNetHeader.GSO_UDP_TUNNEL;
            int gsoKind = gsoType & ~(VirtioNetHeader.GSO_ECN | VirtioNetHeader.GSO_UDP_TUNNEL);
            if ((gsoKind != VirtioNetHeader.GSO_NONE && gsoKind != VirtioNetHeader.GSO_TCPV4
                    && gsoKind != VirtioNetHeader.GSO_TCPV6)
                    || (tunnelBits != 0 && (!tunnel || gsoKind == VirtioNetHeader.GSO_NONE
                            || tunnelBits == VirtioNetHeader.GSO_UDP_TUNNEL))) {
                // Only TCP segmentation is negotiated: plain, or with tunnel offloads inside a UDP tunnel
                // over one outer family.
                malformed++;
                cache.free(frame);
                continue;
            }
            if (length < ETHERNET_HEADER) {
                malformed++;
                cache.free(frame);
                continue;
            }
            if (n >= hs + normalData + restCapacity
                    || (gsoKind == VirtioNetHeader.GSO_NONE && length > maxLength)) {
                oversize++;
                cache.free(frame);
                continue;
            }
            int packet = frame;
            if (length > normalData) {
                if (spare < 0) {
                    noFrame++;
                    cache.free(frame);
                    continue;
                }
                // The tail already sits in the spare; bring the head over (at most 1792 bytes).
                MemorySegment.copy(memory, header + hs, memory,
                        slab.frameStart(spare) + headroom, normalData);
                packet = spare;
                spare = cache.allocateLarge();
                cache.free(frame);
                large++;
            }
            slab.setData(packet, headroom, length);
            slab.setInPort(packet, id);
            int flags = VirtioNetHeader.flags(memory, header);
            if ((flags | gsoType) != 0) {
                slab.setChecksumOffload(packet, flags,
                        memory.get(LE_SHORT, header + VirtioNetHeader.CSUM_START) & 0xffff,
                        memory.get(LE_SHORT, header + VirtioNetHeader.CSUM_OFFSET) & 0xffff);
                slab.setGso(packet, gsoType, VirtioNetHeader.gsoSize(memory, header),
                        memory.get(LE_SHORT, header + VirtioNetHeader.HDR_LEN) & 0xffff);
                if ((flags & VirtioNetHeader.FLAG_NEEDS_CSUM) != 0) {
                    partial++;
                }
            }
            into.add(packet);
            received++;
            bytes += length;
        }
        if (spare >= 0) {
            cache.free(spare);
        }
        SimplePortCounters c = queueCounters[queue];
        if (received > 0) {
            c.received(received, bytes);
            OffloadCounters o = offloadCounters[queue];
            if (large > 0) {
                o.receivedLarge(large);
            }
            if (partial > 0) {
                o.receivedPartialChecksum(partial);
            }
        }
        if ((noFrame | malformed | oversize | ioError) != 0) {
            countDrops(c, noFrame, malformed, oversize, ioError);
        }
        return received;
    }

    static void countDrops(SimplePortCounters c, int noFrame, int malformed, int oversize, int ioError) {
        if (noFrame > 0) {
            c.dropped(PortDropReason.NO_FRAME, noFrame);
        }
        if (malformed > 0) {
            c.dropped(PortDropReason.MALFORMED, malformed);
        }
        if (oversize > 0) {
            c.dropped(PortDropReason.OVERSIZE, oversize);
        }
        if (ioError > 0) {
            c.dropped(PortDropReason.IO_ERROR, ioError);
        }
    }

    /**
     * Writes every frame of {@code from} to the TAP and frees it, clearing the vector: one {@code write}
     * per frame, or with offloads one {@code writev} per run of coalesced TCP segments. Every thread has
     * its own transmit state ({@link TapTransmitter}), so several workers may transmit at once; the
     * frames go to queue {@code queue} of a multi-queue TAP (any queue delivers to the pod).
     */
    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        return transmitter.get().transmit(fds[queue < fds.length ? queue : 0], from, cache);
    }

    /**
     * Reads {@code queue} through the polling worker's io_uring from now on: a multishot read armed on
     * its descriptor ({@link TapRingReceiver}). If the ring refuses the buffers, the queue stays on
     * plain {@code read}s. Worker thread.
     */
    @Override
    public void ringAttached(int queue, ThreadRing ring) {
        if (ringReceivers[queue] != null || tunnel) {
            return; // the ring's provided buffers are laid out for the 12-byte header: a tunnel TAP reads with readv
        }
        try {
            ringReceivers[queue] = new TapRingReceiver(ring, fds[queue], id, mtu, offloads, queueCounters[queue],
                    offloadCounters[queue]);
        } catch (NativeException e) {
            // no provided-buffer rings (before 5.19): this queue keeps reading with read(2)
        }
    }

    /**
     * Is {@code queue} read through a worker's io_uring? For tests and diagnostics: read it after a
     * command round trip with the polling worker (its completion publishes the worker's writes).
     */
    public boolean readsThroughRing(int queue) {
        TapRingReceiver r = ringReceivers[queue];
        return r != null && !r.unsupported();
    }

    /** Cancels the queue's armed read and waits until the kernel holds nothing of it. Worker thread. */
    @Override
    public void ringDetached(int queue, ThreadRing ring) {
        TapRingReceiver r = ringReceivers[queue];
        if (r != null) {
            ringReceivers[queue] = null;
            r.close();
        }
    }

    /** The transmit offloads: everything a TAP takes when it was opened with offloads, else none. */
    @Override
    public int offloads() {
        return tunnel ? PortOffloads.ALL | PortOffloads.UDP_TUNNEL : offloads ? PortOffloads.ALL : PortOffloads.NONE;
    }

    /** Whether the TAP negotiated UDP tunnel segmentation (24-byte headers, whole VXLAN/Geneve super-frames). */
    public boolean tunnelOffloadsEnabled() {
        return tunnel;
    }

    /** The virtio-net header size in front of every packet (12, or 24 with tunnel offloads). */
    public int vnetHeaderSize() {
        return headerSize;
    }

    /** Whether the TAP negotiated checksum and TSO offloads with the kernel. */
    public boolean offloadsEnabled() {
        return offloads;
    }

    /**
     * The port's offload counters: the receive queues' (super-frames received, partial checksums) and
     * every transmitting thread's (super-frames written, segments coalesced), summed now (a snapshot).
     */
    public OffloadCounters offloadCounters() {
        OffloadCounters sum = new OffloadCounters();
        for (OffloadCounters rx : offloadCounters) {
            sum.addAll(rx);
        }
        for (TapTransmitter t : transmitters) {
            sum.addAll(t.offloadCounters);
        }
        return sum;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int queueCount() {
        return fds.length;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    public boolean persistent() {
        return persistent;
    }

    /** The descriptor of a queue (for poll-based waiting in tests and idle strategies). */
    public int fd(int queue) {
        return fds[queue];
    }

    /** A queue's descriptor: tun's poll reports it readable while the queue's ring holds packets. */
    @Override
    public int[] readinessFds(int queue) {
        return readiness[queue];
    }

    /**
     * True while the queue is read with {@code read}/{@code readv} on its descriptor, which tun's poll
     * reports readable exactly while the queue's ring holds packets; false once a worker's io_uring
     * reads it (the armed multishot read takes the packets, the descriptor no longer tells).
     */
    @Override
    public boolean receivesOnlyWhenReadable(int queue) {
        return ringReceivers[queue] == null;
    }

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** Receive counters of one queue (written only by that queue's worker). */
    public PortCounters counters(int queue) {
        return queueCounters[queue];
    }

    /**
     * Closes the descriptors. A non-persistent TAP disappears with its last descriptor; a persistent
     * one stays (with its addresses and routes) for the next {@link #open}.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int fd : fds) {
            Libc.close(fd);
        }
        arena.close();
    }

    /**
     * Ties the interface's life to the port's descriptors: once this returned, closing the port — or
     * the process dying, whose descriptors the kernel closes — deletes the interface. Idempotent.
     * @throws io.podswitch.nativeio.NativeException when the device is gone (its namespace was deleted)
     */
    public synchronized void clearPersistence() {
        if (!closed && persistent) {
            Tun.setPersistent(fds[0], name, false);
            persistent = false;
        }
    }

    /** Clears persistence and closes, so the interface disappears even if it was persistent. */
    public synchronized void closeAndDelete() {
        clearPersistence();
        close();
    }
}
