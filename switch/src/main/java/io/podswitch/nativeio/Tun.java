package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The TUN/TAP driver ({@code /dev/net/tun}): create or attach a TAP, make it persistent, set the
 * virtio-net header size and offloads, attach and detach the queues of a multi-queue TAP.
 *
 * <p>A TAP is found by name in the network namespace of the thread that calls {@link #open}; once
 * open, the descriptor keeps working wherever the interface is moved (see {@code Netns}).
 */
public final class Tun {
    public static final String DEVICE = "/dev/net/tun";

    // linux/if_tun.h ioctl requests (_IOW('T', n, int) / _IOR('T', n, unsigned int))
    public static final long TUNSETIFF = 0x400454caL;
    public static final long TUNSETPERSIST = 0x400454cbL;
    public static final long TUNGETFEATURES = 0x800454cfL;
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    public static final long TUNGETIFF = 0x800454d2L;
    public static final long TUNGETVNETHDRSZ = 0x800454d7L;
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;
    public static final long TUNSETQUEUE = 0x400454d9L;
    /** {@code _IOR('T', 224, int)}: the eBPF program that picks the queue of every packet the kernel sends. */
    public static final long TUNSETSTEERINGEBPF = 0x800454e0L;

    // ifr_flags
    public static final int IFF_TUN = 0x0001;
    public static final int IFF_TAP = 0x0002;
    public static final int IFF_MULTI_QUEUE = 0x0100;
    public static final int IFF_ATTACH_QUEUE = 0x0200;
    public static final int IFF_DETACH_QUEUE = 0x0400;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_VNET_HDR = 0x4000;

    // TUNSETOFFLOAD bits
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;
    public static final int TUN_F_UFO = 0x10;
    /** UDP segmentation offload (Linux 6.2+); not negotiated by podswitch yet. */
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;
    /** TCP super-frames inside a UDP tunnel (VXLAN, Geneve) pass whole, with the 24-byte header (Linux 6.17+). */
    public static final int TUN_F_UDP_TUNNEL_GSO = 0x80;
    /** ... with the outer UDP checksum of each segment left to the segmenter. */
    public static final int TUN_F_UDP_TUNNEL_GSO_CSUM = 0x100;
    /** What a TAP port with offloads negotiates: partial checksums and TCP super-frames, ECN-aware. */
    public static final int TUN_F_TCP_OFFLOADS = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    /** What a tunnel TAP (the {@code tap} uplink) negotiates: the TCP offloads, also inside UDP tunnels. */
    public static final int TUN_F_TUNNEL_OFFLOADS = TUN_F_TCP_OFFLOADS | TUN_F_UDP_TUNNEL_GSO | TUN_F_UDP_TUNNEL_GSO_CSUM;

    private Tun() {
    }

    /**
     * Opens {@code /dev/net/tun} and binds it to the interface {@code name} with TUNSETIFF: creates the
     * TAP, or attaches to it when it exists (a persistent TAP, or another queue of a multi-queue TAP).
     * The descriptor is non-blocking and close-on-exec. On failure nothing stays open.
     *
     * @param flags e.g. {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR}
     * @return the file descriptor
     */
    public static int open(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = Ifreq.allocate(arena, name, "TUNSETIFF");
            Ifreq.flags(ifr, (short) flags);
            int fd = Libc.open(DEVICE, Libc.O_RDWR | Libc.O_NONBLOCK);
            try {
                Libc.ioctl(fd, TUNSETIFF, ifr, "TUNSETIFF", name);
                return fd;
            } catch (RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        }
    }

    /** The interface name the descriptor is bound to (TUNGETIFF). */
    public static String name(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(Ifreq.LAYOUT);
            Libc.ioctl(fd, TUNGETIFF, ifr, "TUNGETIFF", "fd " + fd);
            return Ifreq.name(ifr);
        }
    }

    /** The IFF_* flags of the interface the descriptor is bound to (TUNGETIFF). */
    public static int flags(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(Ifreq.LAYOUT);
            Libc.ioctl(fd, TUNGETIFF, ifr, "TUNGETIFF", "fd " + fd);
            return Ifreq.flags(ifr) & 0xffff;
        }
    }

    /** The IFF_* flags this kernel's tun driver supports (TUNGETFEATURES). */
    public static int features() {
        int fd = Libc.open(DEVICE, Libc.O_RDWR);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            Libc.ioctl(fd, TUNGETFEATURES, out, "TUNGETFEATURES", DEVICE);
            return out.get(JAVA_INT, 0);
        } finally {
            Libc.close(fd);
        }
    }

    /** A persistent TAP outlives its descriptors, so a restarted daemon can attach to it again. */
    public static void setPersistent(int fd, String name, boolean persistent) {
        Libc.ioctl(fd, TUNSETPERSIST, persistent ? 1L : 0L, "TUNSETPERSIST", name);
    }

    /** Which offloads the switch accepts from the kernel (TUN_F_* bits; 0 = none). */
    public static void setOffload(int fd, String name, int tunFlags) {
        Libc.ioctl(fd, TUNSETOFFLOAD, tunFlags & 0xffffffffL, "TUNSETOFFLOAD", name);
    }

    /** Sets the virtio-net header size (10, 12 or 24 with tunnel offloads). */
    public static void setVnetHeaderSize(int fd, String name, int size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(JAVA_INT);
            in.set(JAVA_INT, 0, size);
            Libc.ioctl(fd, TUNSETVNETHDRSZ, in, "TUNSETVNETHDRSZ", name);
        }
    }

    public static int vnetHeaderSize(int fd, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            Libc.ioctl(fd, TUNGETVNETHDRSZ, out, "TUNGETVNETHDRSZ", name);
            return out.get(JAVA_INT, 0);
        }
    }

    /**
     * Makes a socket-filter program choose the queue of every packet the kernel transmits through the
     * TAP (its return value modulo the queue count) instead of the flow-hash automq; -1 removes it. The
     * device keeps its own reference: the caller may close {@code programFd} afterwards.
     */
    public static void setSteeringProgram(int fd, String name, int programFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(JAVA_INT);
            in.set(JAVA_INT, 0, programFd);
            Libc.ioctl(fd, TUNSETSTEERINGEBPF, in, "TUNSETSTEERINGEBPF", name);
        }
    }

    /** Re-enables a queue of a multi-queue TAP that was detached (TUNSETQUEUE IFF_ATTACH_QUEUE). */
    public static void attachQueue(int fd, String name) {
        setQueue(fd, name, IFF_ATTACH_QUEUE);
    }

    /** Stops the kernel from steering packets to this queue while keeping the descriptor. */
    public static void detachQueue(int fd, String name) {
        setQueue(fd, name, IFF_DETACH_QUEUE);
    }

    private static void setQueue(int fd, String name, int flag) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(Ifreq.LAYOUT);
            Ifreq.flags(ifr, (short) flag);
            Libc.ioctl(fd, TUNSETQUEUE, ifr, "TUNSETQUEUE", name);
        }
    }
}
