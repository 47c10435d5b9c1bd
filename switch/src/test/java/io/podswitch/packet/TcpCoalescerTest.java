package io.podswitch.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Software GRO: a super-frame cut by {@link TcpSegmenter} and coalesced again must give back the
 * super-frame byte for byte (lengths and checksums aside, which are checked on their own), and every
 * rule that ends a run (another flow, a gap, a bad checksum, PSH, a short segment, flags, identification,
 * offload state, the 64 KiB bound, the run cap) must end it exactly there.
 */
class TcpCoalescerTest {
    private static final int MSS = TcpFrames.MSS;
    /** What the TAP passes as the longest frame it takes alone in these tests (no limit in the way). */
    private static final int ANY_LENGTH = 9018;

    private final FrameSlab slab = FrameSlab.withLargeFrames(1024, 4);
    private final FramePool pool = new FramePool(slab);
    private final FrameCache cache = new FrameCache(pool, 64);
    private final MemorySegment m = slab.memory();
    private final TcpFrames frames = new TcpFrames(slab, cache);

    @AfterEach
    void close() {
        slab.close();
    }

    /** A super-frame with {@code payload} bytes cut into MSS-sized segments (full checksums, IDs +1 each). */
    private PacketVector segments(boolean v4, int payload, int flags) {
        int f = frames.superFrame(v4, payload, flags);
        PacketVector out = new PacketVector(256);
        assertTrue(new TcpSegmenter(slab).segment(f, cache, out) > 0);
        return out;
    }

    /** What one coalesced writev would put on the wire: head frame whole, then each payload. */
    private byte[] gathered(TcpCoalescer gro, PacketVector v, int start, int run) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frames.bytes(v.frame(start)));
        for (int k = start + 1; k < start + run; k++) {
            long at = slab.dataStart(v.frame(k)) + gro.payloadOffset(k);
            byte[] b = new byte[gro.payloadLength(k)];
            MemorySegment.copy(m, ValueLayout.JAVA_BYTE, at, b, 0, b.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    /** The run lengths a pass over the vector finds, merging each run as the TAP does. */
    private List<Integer> runs(TcpCoalescer gro, PacketVector v) {
        return runs(gro, v, ANY_LENGTH);
    }

    private List<Integer> runs(TcpCoalescer gro, PacketVector v, int maxFrameLength) {
        gro.begin(slab, maxFrameLength);
        List<Integer> runs = new ArrayList<>();
        for (int i = 0; i < v.size(); ) {
            int r = gro.run(v, i);
            if (r > 1) {
                gro.merge(v, i, r);
            }
            runs.add(r);
            i += r;
        }
        return runs;
    }

    private void roundTrip(boolean v4) {
        int ip = v4 ? 20 : 40;
        int payload = 65535 - ip - 32;
        int original = frames.superFrame(v4, payload, Tcp.FLAG_ACK | Tcp.FLAG_PSH);
        byte[] expected = frames.bytes(original);
        PacketVector v = new PacketVector(64);
        int n = new TcpSegmenter(slab).segment(frames.superFrame(v4, payload, Tcp.FLAG_ACK | Tcp.FLAG_PSH), cache, v);
        TcpCoalescer gro = new TcpCoalescer(256, 64);
        gro.begin(slab, ANY_LENGTH);
        assertEquals(n, gro.run(v, 0), "all " + n + " segments form one run");
        int length = gro.merge(v, 0, n);
        byte[] merged = gathered(gro, v, 0, n);
        assertEquals(expected.length, length);
        assertEquals(expected.length, merged.length);

        int l4 = 14 + ip;
        int head = v.frame(0);
        assertEquals(FrameSlab.NEEDS_CSUM, slab.offloadFlags(head));
        assertEquals(l4, slab.csumStart(head));
        assertEquals(Tcp.CHECKSUM, slab.csumOffset(head));
        assertEquals(v4 ? FrameSlab.GSO_TCPV4 : FrameSlab.GSO_TCPV6, slab.gsoType(head));
        assertEquals(MSS, slab.gsoSize(head));
        assertEquals(l4 + 32, slab.gsoHeaderLength(head));
        if (v4) {
            assertEquals(65535, TcpFrames.u16(merged, 16), "IPv4 total length");
            assertEquals(0, TcpFrames.foldComplement(TcpFrames.sum(merged, 14, 34)), "IPv4 header checksum");
        } else {
            assertEquals(65535 - 40, TcpFrames.u16(merged, 18), "IPv6 payload length");
        }
        assertEquals(Tcp.FLAG_ACK | Tcp.FLAG_PSH, merged[l4 + 13] & 0xff, "PSH of the last segment kept");
        // The partial checksum: completing it (what the kernel does) gives a valid TCP checksum.
        long sum = TcpFrames.sum(merged, l4, merged.length);
        int field = TcpFrames.foldComplement(sum);
        merged[l4 + 16] = (byte) (field >>> 8);
        merged[l4 + 17] = (byte) field;
        assertTrue(TcpFrames.tcpChecksumValid(merged, v4), "completed TCP checksum");
        // Everything but the checksum fields is the original super-frame.
        for (int at : v4 ? new int[] {24, 25, l4 + 16, l4 + 17} : new int[] {l4 + 16, l4 + 17}) {
            merged[at] = expected[at];
        }
        assertArrayEquals(expected, merged);
    }

    @Test
    void segmentsOfAnIpv4SuperFrameCoalesceBackIntoIt() {
        roundTrip(true);
    }

    @Test
    void segmentsOfAnIpv6SuperFrameCoalesceBackIntoIt() {
        roundTrip(false);
    }

    @Test
    void aSegmentWithABadChecksumTravelsAloneAndSplitsTheRun() {
        PacketVector v = segments(true, 10 * MSS, Tcp.FLAG_ACK);
        long payload = slab.dataStart(v.frame(4)) + 14 + 20 + 32;
        Bytes.u8(m, payload + 100, Bytes.u8(m, payload + 100) ^ 0x40);
        assertEquals(List.of(4, 1, 5), runs(new TcpCoalescer(256, 64), v));
        assertEquals(0, slab.gsoType(v.frame(4)), "the corrupt segment is passed on untouched");
    }

    @Test
    void anotherFlowAGapOrAChangedHeaderEndsTheRun() {
        // Another destination port in the middle.
        PacketVector ports = segments(true, 6 * MSS, Tcp.FLAG_ACK);
        Bytes.u16(m, slab.dataStart(ports.frame(3)) + 34 + Tcp.DESTINATION_PORT, 5202);
        fixTcpChecksum(ports.frame(3), true);
        assertEquals(List.of(3, 1, 2), runs(new TcpCoalescer(256, 64), ports));
        // A lost segment: the sequence number jumps.
        PacketVector gap = segments(false, 6 * MSS, Tcp.FLAG_ACK);
        PacketVector without = new PacketVector(64);
        for (int i = 0; i < gap.size(); i++) {
            if (i != 2) {
                without.add(gap.frame(i));
            }
        }
        assertEquals(List.of(2, 3), runs(new TcpCoalescer(256, 64), without));
        // IPv4 identification not advancing by one; TTL changed; another window; another option byte.
        for (int[] change : new int[][] {{18, 0x7777}, {22, 0x3f06}, {34 + Tcp.WINDOW, 77}, {34 + 22, 0x0102}}) {
            PacketVector v = segments(true, 4 * MSS, Tcp.FLAG_ACK);
            long d = slab.dataStart(v.frame(2));
            Bytes.u16(m, d + change[0], change[1]);
            fixIp4Checksum(v.frame(2));
            fixTcpChecksum(v.frame(2), true);
            // The changed segment matches neither side: it goes alone.
            assertEquals(List.of(2, 1, 1), runs(new TcpCoalescer(256, 64), v), "changed offset " + change[0]);
        }
    }

    @Test
    void pshOrAShortSegmentEndsTheRunAfterIt() {
        PacketVector psh = segments(true, 8 * MSS, Tcp.FLAG_ACK);
        long tcp = slab.dataStart(psh.frame(2)) + 34;
        Bytes.u8(m, tcp + Tcp.FLAGS, Tcp.FLAG_ACK | Tcp.FLAG_PSH);
        fixTcpChecksum(psh.frame(2), true);
        assertEquals(List.of(3, 5), runs(new TcpCoalescer(256, 64), psh));
        assertEquals(Tcp.FLAG_ACK | Tcp.FLAG_PSH, Bytes.u8(m, slab.dataStart(psh.frame(0)) + 34 + Tcp.FLAGS));
        assertEquals(Tcp.FLAG_ACK, Bytes.u8(m, slab.dataStart(psh.frame(3)) + 34 + Tcp.FLAGS));
        // Segment 3 is 100 bytes short and the later ones follow on from it without a gap.
        PacketVector shortOne = segments(false, 8 * MSS, Tcp.FLAG_ACK);
        int cut = shortOne.frame(3);
        slab.setLength(cut, slab.length(cut) - 100);
        Bytes.u16(m, slab.dataStart(cut) + 14 + Ip6.PAYLOAD_LENGTH, slab.length(cut) - 54);
        fixTcpChecksum(cut, false);
        for (int i = 4; i < shortOne.size(); i++) {
            long seq = slab.dataStart(shortOne.frame(i)) + 54 + Tcp.SEQUENCE;
            Bytes.i32(m, seq, Bytes.i32(m, seq) - 100);
            fixTcpChecksum(shortOne.frame(i), false);
        }
        assertEquals(List.of(4, 4), runs(new TcpCoalescer(256, 64), shortOne));
    }

    @Test
    void framesThatAreNotPlainDataSegmentsNeverMerge() {
        for (int flags : new int[] {Tcp.FLAG_ACK | Tcp.FLAG_FIN, Tcp.FLAG_ACK | Tcp.FLAG_URG, Tcp.FLAG_ACK | Tcp.FLAG_ECE,
                Tcp.FLAG_ACK | Tcp.FLAG_RST, Tcp.FLAG_SYN}) {
            PacketVector v = segments(true, 3 * MSS, Tcp.FLAG_ACK);
            long tcp = slab.dataStart(v.frame(0)) + 34;
            Bytes.u8(m, tcp + Tcp.FLAGS, flags);
            fixTcpChecksum(v.frame(0), true);
            assertEquals(List.of(1, 2), runs(new TcpCoalescer(256, 64), v), "flags " + flags);
        }
        // A partial checksum or a super-frame already: left as they are.
        PacketVector partial = segments(true, 3 * MSS, Tcp.FLAG_ACK);
        slab.setChecksumOffload(partial.frame(1), FrameSlab.NEEDS_CSUM, 34, Tcp.CHECKSUM);
        assertEquals(List.of(1, 1, 1), runs(new TcpCoalescer(256, 64), partial));
        // No payload (a pure ACK), Ethernet padding, IPv4 options, a fragment.
        PacketVector odd = segments(true, 4 * MSS, Tcp.FLAG_ACK);
        slab.setLength(odd.frame(1), slab.length(odd.frame(1)) + 2);
        int ack = odd.frame(2);
        slab.setLength(ack, 14 + 20 + 32);
        Bytes.u16(m, slab.dataStart(ack) + 14 + Ip4.TOTAL_LENGTH, 20 + 32);
        fixIp4Checksum(ack);
        fixTcpChecksum(ack, true);
        Bytes.u16(m, slab.dataStart(odd.frame(3)) + 14 + Ip4.FLAGS_FRAGMENT, Ip4.FLAG_MF);
        fixIp4Checksum(odd.frame(3));
        assertEquals(List.of(1, 1, 1, 1), runs(new TcpCoalescer(256, 64), odd));
    }

    @Test
    void runsStopAtTheCapAndAt64KiB() {
        PacketVector v = segments(false, 20 * MSS, Tcp.FLAG_ACK);
        assertEquals(List.of(8, 8, 4), runs(new TcpCoalescer(256, 8), v));
        // 55 segments in sequence (two super-frames, the second renumbered to follow the first): a run
        // stops where one more segment would take the IP packet past 65,535 bytes.
        PacketVector big = segments(true, 45 * MSS, Tcp.FLAG_ACK);
        PacketVector more = segments(true, 10 * MSS, Tcp.FLAG_ACK);
        for (int i = 0; i < more.size(); i++) {
            int f = more.frame(i);
            long d = slab.dataStart(f);
            Bytes.i32(m, d + 34 + Tcp.SEQUENCE, TcpFrames.SEQ0 + (45 + i) * MSS);
            Bytes.u16(m, d + 14 + Ip4.IDENTIFICATION, (0xfffe + 45 + i) & 0xffff);
            fixIp4Checksum(f);
            fixTcpChecksum(f, true);
            big.add(f);
        }
        assertEquals(List.of(45, 10), runs(new TcpCoalescer(256, 128), big));
    }

    @Test
    void everyFieldThatMustMatchSplitsTheRun() {
        // {IPv4?, offset in the frame, new 16-bit value}: MACs, TOS, DF, addresses, ACK number (IPv4);
        // flow label, hop limit, source (IPv6).
        int[][] changes = {{1, 0, 0x0300}, {1, 8, 0x0099}, {1, 14, 0x4510}, {1, 20, 0x0000}, {1, 26, 0x0a44},
            {1, 30, 0x0a99}, {1, 34 + Tcp.ACKNOWLEDGMENT, 0x1111}, {0, 15, 0x0001}, {0, 20, 0x063f},
            {0, 22, 0x0001}, {0, 54 + Tcp.ACKNOWLEDGMENT + 2, 0x2222}};
        for (int[] change : changes) {
            boolean v4 = change[0] == 1;
            PacketVector v = segments(v4, 4 * MSS, Tcp.FLAG_ACK);
            int f = v.frame(2);
            Bytes.u16(m, slab.dataStart(f) + change[1], change[2]);
            if (v4) {
                fixIp4Checksum(f);
            }
            fixTcpChecksum(f, v4);
            assertEquals(List.of(2, 1, 1), runs(new TcpCoalescer(256, 64), v),
                    (v4 ? "IPv4" : "IPv6") + " offset " + change[1]);
        }
    }

    @Test
    void aFirstSegmentWithPshOrALongerFollowerStaysAlone() {
        PacketVector psh = segments(true, 4 * MSS, Tcp.FLAG_ACK);
        Bytes.u8(m, slab.dataStart(psh.frame(0)) + 34 + Tcp.FLAGS, Tcp.FLAG_ACK | Tcp.FLAG_PSH);
        fixTcpChecksum(psh.frame(0), true);
        assertEquals(List.of(1, 3), runs(new TcpCoalescer(256, 64), psh));
        // Segment 0 cut to 1,000 bytes (the later ones renumbered to follow on): 1,448 > its size.
        PacketVector longer = segments(true, 4 * MSS, Tcp.FLAG_ACK);
        int cut = longer.frame(0);
        slab.setLength(cut, slab.length(cut) - (MSS - 1000));
        Bytes.u16(m, slab.dataStart(cut) + 14 + Ip4.TOTAL_LENGTH, slab.length(cut) - 14);
        fixIp4Checksum(cut);
        fixTcpChecksum(cut, true);
        for (int i = 1; i < longer.size(); i++) {
            long seq = slab.dataStart(longer.frame(i)) + 34 + Tcp.SEQUENCE;
            Bytes.i32(m, seq, Bytes.i32(m, seq) - (MSS - 1000));
            fixTcpChecksum(longer.frame(i), true);
        }
        assertEquals(List.of(1, 3), runs(new TcpCoalescer(256, 64), longer));
    }

    @Test
    void superFramesBadHeadersReservedBitsAndOverlongFramesStayAlone() {
        PacketVector gso = segments(true, 3 * MSS, Tcp.FLAG_ACK);
        slab.setGso(gso.frame(1), FrameSlab.GSO_TCPV4, MSS, 66);
        assertEquals(List.of(1, 1, 1), runs(new TcpCoalescer(256, 64), gso));
        // A bad IPv4 header checksum; the AccECN AE bit / reserved bits in TCP byte 12.
        PacketVector headers = segments(true, 4 * MSS, Tcp.FLAG_ACK);
        Bytes.u16(m, slab.dataStart(headers.frame(1)) + 14 + Ip4.CHECKSUM, 0x1234);
        long offsetByte = slab.dataStart(headers.frame(3)) + 34 + Tcp.DATA_OFFSET;
        Bytes.u8(m, offsetByte, Bytes.u8(m, offsetByte) | 0x01);
        fixTcpChecksum(headers.frame(3), true);
        assertEquals(List.of(1, 1, 1, 1), runs(new TcpCoalescer(256, 64), headers));
        // IPv6 segments of 1,534 bytes to an egress taking at most 1,518 alone: none merges (the TAP
        // then drops them as oversize, as it would unmerged); IPv4 ones of 1,514 do.
        assertEquals(List.of(1, 1, 1), runs(new TcpCoalescer(256, 64), segments(false, 3 * MSS, Tcp.FLAG_ACK), 1518));
        assertEquals(List.of(3), runs(new TcpCoalescer(256, 64), segments(true, 3 * MSS, Tcp.FLAG_ACK), 1518));
    }

    @Test
    void oneCoalescerServesPassAfterPassWithoutStaleState() {
        TcpCoalescer gro = new TcpCoalescer(256, 64);
        PacketVector v = segments(true, 6 * MSS, Tcp.FLAG_ACK);
        assertEquals(List.of(6), runs(gro, v));
        // Next pass, same positions: position 1 now holds a pure ACK (no payload), position 3 a corrupt
        // segment. What the last pass learnt about positions 1 and 3 must not count.
        PacketVector w = segments(true, 6 * MSS, Tcp.FLAG_ACK);
        int ack = w.frame(1);
        slab.setLength(ack, 14 + 20 + 32);
        Bytes.u16(m, slab.dataStart(ack) + 14 + Ip4.TOTAL_LENGTH, 20 + 32);
        fixIp4Checksum(ack);
        fixTcpChecksum(ack, true);
        long payload = slab.dataStart(w.frame(3)) + 66 + 10;
        Bytes.u8(m, payload, Bytes.u8(m, payload) ^ 1);
        assertEquals(List.of(1, 1, 1, 1, 2), runs(gro, w));
        // And a third pass of good segments merges whole again.
        assertEquals(List.of(6), runs(gro, segments(true, 6 * MSS, Tcp.FLAG_ACK)));
    }

    @Test
    void framesBeyondTheWindowPassAlone() {
        PacketVector v = segments(true, 6 * MSS, Tcp.FLAG_ACK);
        assertEquals(List.of(4, 1, 1), runs(new TcpCoalescer(4, 64), v));
    }

    private void fixIp4Checksum(int frame) {
        long ip = slab.dataStart(frame) + 14;
        Bytes.u16(m, ip + Ip4.CHECKSUM, 0);
        Bytes.u16(m, ip + Ip4.CHECKSUM, Checksum.compute(m, ip, 20));
    }

    private void fixTcpChecksum(int frame, boolean v4) {
        long d = slab.dataStart(frame);
        int l4 = 14 + (v4 ? 20 : 40);
        int tcpLength = slab.length(frame) - l4;
        long pseudo = v4 ? Checksum.add(m, d + 14 + Ip4.SOURCE, 8, 0) + Ip4.PROTOCOL_TCP + tcpLength
                : Checksum.pseudoHeader6(m, d + 14, tcpLength, Ip4.PROTOCOL_TCP);
        Bytes.u16(m, d + l4 + Tcp.CHECKSUM, 0);
        Bytes.u16(m, d + l4 + Tcp.CHECKSUM, Checksum.finish(Checksum.add(m, d + l4, tcpLength, pseudo)));
    }
}
