package io.podswitch.port.tap;

import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.IoVec;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.Native;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.Tun;
import io.podswitch.nativeio.VirtioNetHeader;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.Port;
import io.podswitch.port.PortCounters;
import io.podswitch.port.PortDropReason;
import io.podswitch.port.SimplePortCounters;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
 * Offloads are off ({@code TUNSETOFFLOAD 0}): the kernel finishes checksums and segments before
 * handing packets over, so every frame fits the 2 KiB frame and the header is all zero both ways.
 *
 * <p>Receive and transmit loop over the burst with one system call per packet — the tun driver has
 * no multi-packet read or write (see docs/nativeio.md for the measurements behind this choice). Both
 * are allocation free and never throw on the data path; every dropped packet is counted by reason.
 */
public final class TapPort implements Port {
    /** virtio_net_hdr_mrg_rxbuf: 12 bytes (TUNSETVNETHDRSZ 12), the size virtio 1.0 always uses. */
    public static final int VNET_HEADER_SIZE = VirtioNetHeader.SIZE;
    private static final int ETHERNET_HEADER = 14;
    /** Ethernet header plus one VLAN tag on top of the MTU. */
    private static final int L2_OVERHEAD = ETHERNET_HEADER + 4;
    private static final int DISCARD_BYTES = 64 * 1024;

    private final int id;
    private final String name;
    private final int mtu;
    private final boolean persistent;
    private final int[] fds;
    private final Arena arena;
    private final MemorySegment[] errno;
    private final MemorySegment[] iov;
    private final long discardAddress;
    private final long zeroHeaderAddress;
    private final SimplePortCounters[] queueCounters;
    private final PortCounters counters;
    private boolean closed;

    private TapPort(int id, TapPortConfig config, int[] fds, int mtu) {
        this.id = id;
        this.name = config.name();
        this.mtu = mtu;
        this.persistent = config.persistent();
        this.fds = fds;
        this.arena = Arena.ofShared();
        int queues = fds.length;
        this.errno = new MemorySegment[queues];
        this.iov = new MemorySegment[queues];
        this.queueCounters = new SimplePortCounters[queues];
        for (int q = 0; q < queues; q++) {
            errno[q] = Native.errnoSegment(arena);
            iov[q] = arena.allocate(IoVec.LAYOUT, 2);
            queueCounters[q] = new SimplePortCounters();
        }
        // Packets are only discarded when the pool is empty; one shared sink for all queues is fine
        // because its contents are never read.
        this.discardAddress = arena.allocate(DISCARD_BYTES, 64).address();
        this.zeroHeaderAddress = arena.allocate(VNET_HEADER_SIZE, 8).address();
        this.counters = queues == 1 ? queueCounters[0] : new SummedPortCounters(queueCounters);
    }

    /**
     * Creates the TAP (or re-attaches to the persistent TAP of that name) in the calling thread's
     * network namespace, sets the header size, offloads, persistence, MTU and MAC, and brings it up.
     * On failure every descriptor opened so far is closed, and a TAP this call created is removed.
     */
    public static TapPort open(int id, TapPortConfig config) {
        String name = config.name();
        int flags = Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR
                | (config.queues() > 1 ? Tun.IFF_MULTI_QUEUE : 0);
        int[] fds = new int[config.queues()];
        java.util.Arrays.fill(fds, -1);
        boolean existed;
        try (Netlink netlink = Netlink.open()) {
            existed = netlink.findLink(name).isPresent();
        }
        try {
            for (int q = 0; q < fds.length; q++) {
                fds[q] = Tun.open(name, flags);
            }
            // Header size and offloads belong to the device, not the queue: set once.
            Tun.setVnetHeaderSize(fds[0], name, VNET_HEADER_SIZE);
            Tun.setOffload(fds[0], name, 0);
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

    private static void countDrops(SimplePortCounters c, int noFrame, int malformed, int oversize, int ioError) {
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

    @Override
    public int transmit(int queue, PacketVector from, FrameCache cache) {
        int fd = fds[queue];
        MemorySegment err = errno[queue];
        FrameSlab slab = cache.slab();
        MemorySegment memory = slab.memory();
        long base = memory.address();
        int maxLength = mtu + L2_OVERHEAD;
        int count = from.size();
        int sent = 0;
        long bytes = 0;
        int malformed = 0;
        int oversize = 0;
        int full = 0;
        int down = 0;
        int ioError = 0;
        for (int i = 0; i < count; i++) {
            int frame = from.frame(i);
            int length = slab.length(frame);
            int offset = slab.dataOffset(frame);
            if (length < ETHERNET_HEADER) {
                malformed++;
            } else if (length > maxLength) {
                oversize++;
            } else {
                long n;
                if (offset >= VNET_HEADER_SIZE) {
                    long header = slab.frameStart(frame) + offset - VNET_HEADER_SIZE;
                    VirtioNetHeader.clear(memory, header);
                    n = Libc.write(err, fd, base + header, VNET_HEADER_SIZE + length);
                } else {
                    // No headroom left (a node prepended into all of it): gather a separate header.
                    MemorySegment v = iov[queue];
                    IoVec.set(v, 0, zeroHeaderAddress, VNET_HEADER_SIZE);
                    IoVec.set(v, 1, base + slab.frameStart(frame) + offset, length);
                    n = Libc.writev(err, fd, v.address(), 2);
                }
                if (n >= 0) {
                    sent++;
                    bytes += length;
                } else if (n == -Errno.EAGAIN || n == -Errno.ENOBUFS) {
                    full++;
                } else if (n == -Errno.EIO) {
                    down++; // tun refuses writes while the interface is down
                } else {
                    ioError++;
                }
            }
            cache.free(frame);
        }
        from.clear();
        SimplePortCounters c = queueCounters[queue];
        if (sent > 0) {
            c.transmitted(sent, bytes);
        }
        if ((malformed | oversize | full | down | ioError) != 0) {
            countDrops(c, 0, malformed, oversize, ioError);
            if (full > 0) {
                c.dropped(PortDropReason.TX_FULL, full);
            }
            if (down > 0) {
                c.dropped(PortDropReason.LINK_DOWN, down);
            }
        }
        return sent;
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

    @Override
    public PortCounters counters() {
        return counters;
    }

    /** Counters of one queue (written only by that queue's worker). */
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

    /** Clears persistence and closes, so the interface disappears even if it was persistent. */
    public synchronized void closeAndDelete() {
        if (!closed && persistent) {
            Tun.setPersistent(fds[0], name, false);
        }
        close();
    }
}
