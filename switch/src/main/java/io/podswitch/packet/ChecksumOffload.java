package io.podswitch.packet;

import java.lang.foreign.MemorySegment;

/**
 * Finishes a partial L4 checksum in software, for egress ports that cannot
 * ({@link FrameSlab#NEEDS_CSUM}; Linux's CHECKSUM_PARTIAL). The sender left the pseudo-header sum in
 * the checksum field; summing everything from {@code csumStart} to the packet's end therefore gives
 * pseudo-header + L4 header + payload, and its complement is the checksum.
 */
public final class ChecksumOffload {
    /** UDP's checksum field is at offset 6 of its header; TCP's is at 16. */
    private static final int UDP_CHECKSUM_OFFSET = 6;

    private ChecksumOffload() {
    }

    /**
     * Completes the checksum of a {@link FrameSlab#NEEDS_CSUM} packet and clears the flag.
     * @return false (nothing changed) when csumStart/csumOffset point outside the packet
     */
    public static boolean complete(FrameSlab slab, int frame) {
        if ((slab.offloadFlags(frame) & FrameSlab.NEEDS_CSUM) == 0) {
            return true;
        }
        int length = slab.length(frame);
        int start = slab.csumStart(frame);
        int field = start + slab.csumOffset(frame);
        if (field + 2 > length) {
            return false;
        }
        MemorySegment m = slab.memory();
        long data = slab.dataStart(frame);
        int sum = Checksum.finish(Checksum.add(m, data + start, length - start, 0));
        if (sum == 0 && slab.csumOffset(frame) == UDP_CHECKSUM_OFFSET) {
            sum = 0xffff; // RFC 768: a computed zero is sent as all ones (0 means "no checksum")
        }
        Bytes.u16(m, data + field, sum);
        slab.setChecksumOffload(frame, slab.offloadFlags(frame) & ~FrameSlab.NEEDS_CSUM, 0, 0);
        return true;
    }
}
