package io.podswitch.nativeio;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The virtio-net header a TAP opened with {@code IFF_VNET_HDR} puts in front of every packet
 * ({@code struct virtio_net_hdr_mrg_rxbuf}, 12 bytes; the first 10 bytes are the legacy
 * {@code struct virtio_net_hdr}). Fields are little endian (the TAP is in virtio 1.0 LE mode on x86).
 *
 * <pre>
 *  0       1        2           4           6             8              10            12
 *  +-------+--------+-----------+-----------+-------------+--------------+-------------+
 *  | flags |gso_type| hdr_len   | gso_size  | csum_start  | csum_offset  | num_buffers |
 *  |  u8   |  u8    |  u16      |  u16      |  u16        |  u16         |  u16        |
 *  +-------+--------+-----------+-----------+-------------+--------------+-------------+
 *  |<------------------ struct virtio_net_hdr (10) ------------------------>|
 *  |<------------------ struct virtio_net_hdr_mrg_rxbuf (12) -------------------------->|
 * </pre>
 *
 * <p>A TAP that negotiated UDP tunnel segmentation ({@code TUN_F_UDP_TUNNEL_GSO}, Linux 6.17+) takes
 * and gives the 24-byte {@code struct virtio_net_hdr_v1_hash_tunnel} instead ({@link #TUNNEL_LAYOUT},
 * include/uapi/linux/virtio_net.h): the 12 bytes above, the hash fields (unused by tun), then where the
 * outer transport (UDP) header and the inner network header start, counted from the frame's first byte.
 * <pre>
 *  12           16            18        20                22                24
 *  | hash_value | hash_report | padding | outer_th_offset | inner_nh_offset |
 *  |  u32       |  u16        |  u16    |  u16            |  u16            |
 * </pre>
 * A tunnel super-frame has {@link #GSO_UDP_TUNNEL_IPV4} or {@link #GSO_UDP_TUNNEL_IPV6} (the outer
 * family) added to the inner GSO type, {@link #FLAG_NEEDS_CSUM} with csum_start at the inner transport
 * header (the kernel requires it), and {@link #FLAG_UDP_TUNNEL_CSUM} when every segment's outer UDP
 * checksum is to be filled in (the field then holds the outer pseudo-header sum).
 */
public final class VirtioNetHeader {
    public static final int FLAG_NEEDS_CSUM = 1;
    public static final int FLAG_DATA_VALID = 2;
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_ECN = 0x80;
    /** Flag of a tunnel header: the outer UDP checksum of each segment is to be computed. */
    public static final int FLAG_UDP_TUNNEL_CSUM = 8;
    /** Added to the inner GSO type: the super-frame is inside a UDP tunnel over IPv4. */
    public static final int GSO_UDP_TUNNEL_IPV4 = 0x20;
    /** Added to the inner GSO type: the super-frame is inside a UDP tunnel over IPv6. */
    public static final int GSO_UDP_TUNNEL_IPV6 = 0x40;
    /** Both tunnel bits: {@code gsoType & GSO_UDP_TUNNEL} is non-zero for a tunnel super-frame. */
    public static final int GSO_UDP_TUNNEL = GSO_UDP_TUNNEL_IPV4 | GSO_UDP_TUNNEL_IPV6;

    private static final ValueLayout.OfShort LE_SHORT = JAVA_SHORT_UNALIGNED;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("flags"),
            JAVA_BYTE.withName("gso_type"),
            LE_SHORT.withName("hdr_len"),
            LE_SHORT.withName("gso_size"),
            LE_SHORT.withName("csum_start"),
            LE_SHORT.withName("csum_offset"),
            LE_SHORT.withName("num_buffers"));
    /** Size with num_buffers: the size podswitch sets with TUNSETVNETHDRSZ. */
    public static final int SIZE = (int) LAYOUT.byteSize();

    /** {@code struct virtio_net_hdr_v1_hash_tunnel}: what a TAP with UDP tunnel offloads reads and writes. */
    public static final StructLayout TUNNEL_LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("flags"),
            JAVA_BYTE.withName("gso_type"),
            LE_SHORT.withName("hdr_len"),
            LE_SHORT.withName("gso_size"),
            LE_SHORT.withName("csum_start"),
            LE_SHORT.withName("csum_offset"),
            LE_SHORT.withName("num_buffers"),
            ValueLayout.JAVA_INT_UNALIGNED.withName("hash_value"),
            LE_SHORT.withName("hash_report"),
            LE_SHORT.withName("padding"),
            LE_SHORT.withName("outer_th_offset"),
            LE_SHORT.withName("inner_nh_offset"));
    /** 24: the header size (TUNSETVNETHDRSZ) of a TAP with UDP tunnel offloads. */
    public static final int TUNNEL_SIZE = (int) TUNNEL_LAYOUT.byteSize();
    /** Size of the legacy header without num_buffers (the kernel's default for a new TAP). */
    public static final int LEGACY_SIZE = 10;
    public static final long FLAGS = 0;
    public static final long GSO_TYPE = 1;
    public static final long HDR_LEN = 2;
    public static final long GSO_SIZE = 4;
    public static final long CSUM_START = 6;
    public static final long CSUM_OFFSET = 8;
    public static final long NUM_BUFFERS = 10;
    public static final long OUTER_TH_OFFSET = 20;
    public static final long INNER_NH_OFFSET = 22;

    private VirtioNetHeader() {
    }

    /** Writes an all-zero 12-byte header at {@code offset}: no checksum to do, no segmentation. */
    public static void clear(MemorySegment memory, long offset) {
        memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, 0L);
        memory.set(ValueLayout.JAVA_INT_UNALIGNED, offset + 8, 0);
    }

    /** Writes an all-zero header of {@code size} bytes (12 or {@link #TUNNEL_SIZE}) at {@code offset}. */
    public static void clear(MemorySegment memory, long offset, int size) {
        clear(memory, offset);
        if (size == TUNNEL_SIZE) {
            memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 12, 0L);
            memory.set(ValueLayout.JAVA_INT_UNALIGNED, offset + 20, 0);
        }
    }

    public static int gsoType(MemorySegment memory, long offset) {
        return memory.get(JAVA_BYTE, offset + GSO_TYPE) & 0xff;
    }

    public static int flags(MemorySegment memory, long offset) {
        return memory.get(JAVA_BYTE, offset + FLAGS) & 0xff;
    }

    public static int gsoSize(MemorySegment memory, long offset) {
        return memory.get(LE_SHORT, offset + GSO_SIZE) & 0xffff;
    }
}
