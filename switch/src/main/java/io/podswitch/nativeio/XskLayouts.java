package io.podswitch.nativeio;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The AF_XDP structures of {@code <linux/if_xdp.h>} as FFM layouts; offsets are checked against
 * the kernel headers in {@code XskLayoutsTest}.
 *
 * <pre>
 * struct sockaddr_xdp (16)              struct xdp_umem_reg (32)
 *  0 u16 family (AF_XDP = 44)            0 u64 addr        (page aligned start of the UMEM)
 *  2 u16 flags  (XDP_SHARED_UMEM ...)    8 u64 len         (multiple of chunk_size)
 *  4 u32 ifindex                        16 u32 chunk_size  (the frame size)
 *  8 u32 queue_id                       20 u32 headroom    (in front of XDP_PACKET_HEADROOM)
 * 12 u32 shared_umem_fd                 24 u32 flags       28 u32 tx_metadata_len
 *
 * struct xdp_mmap_offsets (128) = 4 x struct xdp_ring_offset (32), in order rx, tx, fill, completion
 *  +0 u64 producer  +8 u64 consumer  +16 u64 desc  +24 u64 flags   (byte offsets inside the ring's mmap)
 *
 * struct xdp_desc (16): rx and tx ring entries     fill and completion entries: one u64 UMEM address
 *  0 u64 addr (UMEM offset of the packet's first byte)
 *  8 u32 len   12 u32 options
 * </pre>
 */
public final class XskLayouts {
    public static final StructLayout SOCKADDR_XDP = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sxdp_family"),
            JAVA_SHORT.withName("sxdp_flags"),
            JAVA_INT.withName("sxdp_ifindex"),
            JAVA_INT.withName("sxdp_queue_id"),
            JAVA_INT.withName("sxdp_shared_umem_fd"));

    public static final StructLayout XDP_UMEM_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_LONG.withName("len"),
            JAVA_INT.withName("chunk_size"),
            JAVA_INT.withName("headroom"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("tx_metadata_len"));

    public static final StructLayout XDP_RING_OFFSET = MemoryLayout.structLayout(
            JAVA_LONG.withName("producer"),
            JAVA_LONG.withName("consumer"),
            JAVA_LONG.withName("desc"),
            JAVA_LONG.withName("flags"));

    public static final StructLayout XDP_MMAP_OFFSETS = MemoryLayout.structLayout(
            XDP_RING_OFFSET.withName("rx"),
            XDP_RING_OFFSET.withName("tx"),
            XDP_RING_OFFSET.withName("fr"),
            XDP_RING_OFFSET.withName("cr"));

    public static final StructLayout XDP_DESC = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("options"));

    /** struct xdp_statistics: six u64 counters kept by the kernel per socket. */
    public static final StructLayout XDP_STATISTICS = MemoryLayout.structLayout(
            JAVA_LONG.withName("rx_dropped"),
            JAVA_LONG.withName("rx_invalid_descs"),
            JAVA_LONG.withName("tx_invalid_descs"),
            JAVA_LONG.withName("rx_ring_full"),
            JAVA_LONG.withName("rx_fill_ring_empty_descs"),
            JAVA_LONG.withName("tx_ring_empty_descs"));

    public static final long DESC_SIZE = XDP_DESC.byteSize();
    public static final long DESC_ADDR = offset(XDP_DESC, "addr");
    public static final long DESC_LEN = offset(XDP_DESC, "len");
    public static final long DESC_OPTIONS = offset(XDP_DESC, "options");
    /** Fill and completion ring entries are bare u64 addresses. */
    public static final long ADDR_SIZE = 8;

    private XskLayouts() {
    }

    public static long offset(StructLayout layout, String... path) {
        MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }
}
