package io.podswitch.perf.sides;

import io.podswitch.nativeio.Ifreq;
import io.podswitch.nativeio.Libc;
import io.podswitch.nativeio.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns TX checksum offload off on an interface of the calling thread's namespace, as
 * {@code ethtool -K IF tx off} does, through the legacy ethtool ioctl. A veth that sends with the
 * offload on leaves UDP/TCP checksums partial; AF_XDP in copy mode forwards the frame as it is, and
 * the receiving pod drops it (docs/afxdp.md, "veth notes").
 *
 * <pre>
 *  ioctl(fd, SIOCETHTOOL, &amp;ifr)      ifr.ifr_data ──► struct ethtool_value
 *  ifreq: name[16] | ifr_data (pointer)             +---------------------+-----------+
 *                                                   | cmd: u32 (0x17)     | data: u32 |
 *                                                   | ETHTOOL_STXCSUM     | 0 = off   |
 *                                                   +---------------------+-----------+
 * </pre>
 */
final class EthtoolTxChecksum {
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_STXCSUM = 0x17;
    /** ifr_data sits at the start of the ifreq union, after the 16-byte name. */
    private static final long IFR_DATA = Ifreq.IFNAMSIZ;

    private EthtoolTxChecksum() {
    }

    static void disable(String device) {
        int fd = Sockets.socket(Sockets.AF_INET, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0, "ethtool " + device);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(8, 8);
            value.set(ValueLayout.JAVA_INT, 0, ETHTOOL_STXCSUM);
            value.set(ValueLayout.JAVA_INT, 4, 0);
            MemorySegment ifr = Ifreq.allocate(arena, device, "SIOCETHTOOL");
            ifr.set(ValueLayout.ADDRESS, IFR_DATA, value);
            Libc.ioctl(fd, SIOCETHTOOL, ifr, "SIOCETHTOOL ETHTOOL_STXCSUM off", device);
        } finally {
            Libc.close(fd);
        }
    }
}
