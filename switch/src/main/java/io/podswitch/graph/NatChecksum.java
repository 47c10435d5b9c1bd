package io.podswitch.graph;

import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;

import java.lang.foreign.MemorySegment;

/**
 * Incremental checksum updates for NAT (RFC 1624): a rewrite of some 16-bit words changes a checksum by
 * {@code ~old + new} per word. The change is accumulated as a {@code delta} (a running sum, folded once)
 * and applied to one of three kinds of field:
 * <ul>
 *   <li>a complete checksum (IPv4 header, TCP, UDP, ICMP): {@code HC' = ~(~HC + delta)} (eqn. 3);</li>
 *   <li>a UDP checksum, where 0 means "none" over IPv4: left at 0, and a computed 0 is sent as 0xffff;</li>
 *   <li>a partial checksum (a TAP frame with NEEDS_CSUM holds only the pseudo-header sum, not
 *       complemented, see {@code ChecksumOffload}): {@code S' = S + delta}, and only for changes to the
 *       pseudo-header (addresses) — ports are summed when the checksum is completed.</li>
 * </ul>
 */
final class NatChecksum {
    private NatChecksum() {
    }

    static long delta16(int oldWord, int newWord) {
        return (~oldWord & 0xffff) + (newWord & 0xffff);
    }

    static long delta32(int oldValue, int newValue) {
        return delta16(oldValue >>> 16, newValue >>> 16) + delta16(oldValue, newValue);
    }

    static long delta64(long oldValue, long newValue) {
        return delta32((int) (oldValue >>> 32), (int) (newValue >>> 32)) + delta32((int) oldValue, (int) newValue);
    }

    /** Applies {@code delta} to the complete checksum at {@code field}. */
    static void applyFull(MemorySegment m, long field, long delta) {
        int old = Bytes.u16(m, field);
        Bytes.u16(m, field, ~Checksum.fold((~old & 0xffff) + delta) & 0xffff);
    }

    /** As {@link #applyFull} for a UDP checksum: 0 (none) stays 0; a result of 0 is written as 0xffff. */
    static void applyUdp(MemorySegment m, long field, long delta) {
        int old = Bytes.u16(m, field);
        if (old == 0) {
            return;
        }
        int sum = ~Checksum.fold((~old & 0xffff) + delta) & 0xffff;
        Bytes.u16(m, field, sum == 0 ? 0xffff : sum);
    }

    /** Applies {@code delta} to a partial (pseudo-header) sum at {@code field}. */
    static void applyPartial(MemorySegment m, long field, long delta) {
        Bytes.u16(m, field, Checksum.fold(Bytes.u16(m, field) + delta));
    }
}
