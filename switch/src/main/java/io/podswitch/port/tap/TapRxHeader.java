package io.podswitch.port.tap;

import io.podswitch.nativeio.VirtioNetHeader;
import io.podswitch.packet.FrameSlab;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What a packet read from a TAP may be, judged by the 12-byte virtio-net header in front of it and
 * its length — shared by the {@code read} path ({@link TapPort}) and the io_uring path
 * ({@link TapRingReceiver}) — and the header's offload metadata copied into the packet's frame.
 */
final class TapRxHeader {
    static final int ACCEPT = 0;
    static final int MALFORMED = 1;
    static final int OVERSIZE = 2;
    /** virtio-net header fields are little endian; x86's native order. */
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private TapRxHeader() {
    }

    /**
     * @param read      bytes the read returned (header included)
     * @param capacity  the buffer's length: a read that filled it was cut short (Linux returns the copied length)
     * @param maxLength the longest packet without segmentation offload (MTU + Ethernet header + VLAN tag)
     * @param offloads  the TAP negotiated TCP segmentation: TCPv4/v6 super-frames are fine, anything else is not
     */
    static int check(MemorySegment memory, long header, long read, long capacity, int maxLength, boolean offloads) {
        int length = (int) read - TapPort.VNET_HEADER_SIZE;
        int gsoKind = VirtioNetHeader.gsoType(memory, header) & ~VirtioNetHeader.GSO_ECN;
        if (gsoKind != VirtioNetHeader.GSO_NONE && (!offloads
                || (gsoKind != VirtioNetHeader.GSO_TCPV4 && gsoKind != VirtioNetHeader.GSO_TCPV6))) {
            return offloads ? MALFORMED : OVERSIZE; // without offloads the kernel never sends a super-frame
        }
        if (length < TapPort.ETHERNET_HEADER) {
            return MALFORMED;
        }
        if (read >= capacity || (gsoKind == VirtioNetHeader.GSO_NONE && length > maxLength)) {
            return OVERSIZE;
        }
        return ACCEPT;
    }

    /**
     * Copies the header's checksum and segmentation metadata into {@code packet}'s frame.
     * @return 1 when the packet carries a partial checksum (counted), else 0
     */
    static int apply(FrameSlab slab, int packet, MemorySegment memory, long header) {
        int flags = VirtioNetHeader.flags(memory, header);
        int gsoType = VirtioNetHeader.gsoType(memory, header);
        if ((flags | gsoType) == 0) {
            return 0;
        }
        slab.setChecksumOffload(packet, flags,
                memory.get(LE_SHORT, header + VirtioNetHeader.CSUM_START) & 0xffff,
                memory.get(LE_SHORT, header + VirtioNetHeader.CSUM_OFFSET) & 0xffff);
        slab.setGso(packet, gsoType, VirtioNetHeader.gsoSize(memory, header),
                memory.get(LE_SHORT, header + VirtioNetHeader.HDR_LEN) & 0xffff);
        return (flags & VirtioNetHeader.FLAG_NEEDS_CSUM) != 0 ? 1 : 0;
    }
}
