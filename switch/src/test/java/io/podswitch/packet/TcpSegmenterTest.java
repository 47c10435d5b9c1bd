package io.podswitch.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Software TCP segmentation of 64 KiB GSO super-frames (IPv4 and IPv6) into MSS-sized frames, and
 * checksum completion of partial checksums. Every length, sequence number, flag and checksum is
 * checked against an independent byte-array computation.
 */
class TcpSegmenterTest {
    private static final int MSS = 1448;
    private static final int SEQ0 = 0xfffff000; // wraps past 2^32 within the super-frame

    private final FrameSlab slab = FrameSlab.withLargeFrames(512, 4);
    private final FramePool pool = new FramePool(slab);
    private final FrameCache cache = new FrameCache(pool, 64);
    private final MemorySegment m = slab.memory();

    @AfterEach
    void close() {
        slab.close();
    }

    /** Ethernet + IPv4 (or IPv6) + TCP with 12 bytes of options + payload of pattern bytes, in a large frame. */
    private int superFrame(boolean v4, int payload, int tcpFlags) {
        int f = cache.allocateLarge();
        long d = slab.dataStart(f);
        int ipLen = v4 ? 20 : 40;
        int tcpLen = 32;
        int l4 = 14 + ipLen;
        int length = l4 + tcpLen + payload;
        Bytes.mac(m, d, 0x02_00_00_00_00_02L);
        Bytes.mac(m, d + 6, 0x02_00_00_00_00_01L);
        Bytes.u16(m, d + 12, v4 ? Ethernet.TYPE_IP4 : Ethernet.TYPE_IP6);
        long ip = d + 14;
        if (v4) {
            Bytes.u8(m, ip, 0x45);
            Bytes.u8(m, ip + 1, 0);
            Bytes.u16(m, ip + 2, ipLen + tcpLen + payload);
            Bytes.u16(m, ip + 4, 0xfffe); // identification wraps too
            Bytes.u16(m, ip + 6, Ip4.FLAG_DF);
            Bytes.u8(m, ip + 8, 64);
            Bytes.u8(m, ip + 9, Ip4.PROTOCOL_TCP);
            Bytes.u16(m, ip + 10, 0);
            Bytes.i32(m, ip + 12, 0x0a430002);
            Bytes.i32(m, ip + 16, 0x0a430102);
            Bytes.u16(m, ip + 10, Checksum.compute(m, ip, 20));
        } else {
            Bytes.i32(m, ip, 0x6000_0000);
            Bytes.u16(m, ip + 4, tcpLen + payload);
            Bytes.u8(m, ip + 6, Ip4.PROTOCOL_TCP);
            Bytes.u8(m, ip + 7, 64);
            Bytes.i64(m, ip + 8, 0xfd67_0000_0000_0000L);
            Bytes.i64(m, ip + 16, 2);
            Bytes.i64(m, ip + 24, 0xfd67_0001_0000_0000L);
            Bytes.i64(m, ip + 32, 2);
        }
        long tcp = d + l4;
        Bytes.u16(m, tcp, 40000);
        Bytes.u16(m, tcp + 2, 5201);
        Bytes.i32(m, tcp + 4, SEQ0);
        Bytes.i32(m, tcp + 8, 0x12345678);
        Bytes.u8(m, tcp + 12, (tcpLen / 4) << 4);
        Bytes.u8(m, tcp + 13, tcpFlags);
        Bytes.u16(m, tcp + 14, 501);
        Bytes.u16(m, tcp + 16, 0xbeef); // whatever the sender left: must not matter
        Bytes.u16(m, tcp + 18, 0);
        for (int i = 20; i < tcpLen; i++) {
            Bytes.u8(m, tcp + i, i == 20 ? 1 : 0x11 * (i - 20)); // options: NOP, then noise
        }
        for (int i = 0; i < payload; i++) {
            Bytes.u8(m, tcp + tcpLen + i, (i * 7 + 3) & 0xff);
        }
        slab.setLength(f, length);
        slab.setInPort(f, 5);
        slab.setChecksumOffload(f, FrameSlab.NEEDS_CSUM, l4, Tcp.CHECKSUM);
        slab.setGso(f, v4 ? FrameSlab.GSO_TCPV4 : FrameSlab.GSO_TCPV6, MSS, l4 + tcpLen);
        return f;
    }

    private byte[] bytes(int frame) {
        byte[] b = new byte[slab.length(frame)];
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, slab.dataStart(frame), b, 0, b.length);
        return b;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    private static int i32(byte[] b, int i) {
        return u16(b, i) << 16 | u16(b, i + 2);
    }

    /** RFC 1071 over byte ranges, written out plainly: the sum of 16-bit words, folded. */
    private static long sum(byte[] b, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i += 2) {
            s += (b[i] & 0xff) << 8 | (i + 1 < to ? b[i + 1] & 0xff : 0);
        }
        return s;
    }

    private static int foldComplement(long s) {
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) (~s & 0xffff);
    }

    private static boolean tcpChecksumValid(byte[] b, boolean v4) {
        int l3 = 14;
        int l4 = l3 + (v4 ? 20 : 40);
        int tcpLength = b.length - l4;
        long s = v4 ? sum(b, l3 + 12, l3 + 20) : sum(b, l3 + 8, l3 + 40);
        s += 6 + tcpLength + sum(b, l4, b.length);
        return foldComplement(s) == 0;
    }

    private void checkSegments(boolean v4) {
        // The largest IP packet: total length (IPv4) or 40 + payload length (IPv6) = 65 535.
        int payload = 65535 - (v4 ? 20 : 40) - 32;
        int superFrame = superFrame(v4, payload, Tcp.FLAG_ACK | Tcp.FLAG_PSH | Tcp.FLAG_FIN | Tcp.FLAG_CWR);
        byte[] original = bytes(superFrame);
        int headers = 14 + (v4 ? 20 : 40) + 32;
        int freeBefore = pool.availableLarge();
        PacketVector out = new PacketVector(128);
        int n = new TcpSegmenter(slab).segment(superFrame, cache, out);

        int expected = (payload + MSS - 1) / MSS;
        assertEquals(expected, n);
        assertEquals(expected, out.size());
        assertEquals(freeBefore + 1, pool.availableLarge(), "the super-frame went back to the pool");
        int offset = 0;
        for (int i = 0; i < n; i++) {
            int f = out.frame(i);
            assertFalse(slab.isLarge(f));
            assertEquals(5, slab.inPort(f));
            assertEquals(0, slab.offloadFlags(f) | slab.gsoType(f), "segments carry no offload state");
            byte[] b = bytes(f);
            int seg = Math.min(MSS, payload - offset);
            assertEquals(headers + seg, b.length);
            assertArrayEquals(Arrays.copyOfRange(original, 0, 14), Arrays.copyOfRange(b, 0, 14));
            assertArrayEquals(Arrays.copyOfRange(original, headers + offset, headers + offset + seg),
                    Arrays.copyOfRange(b, headers, b.length), "payload of segment " + i);
            if (v4) {
                assertEquals(b.length - 14, u16(b, 16), "IPv4 total length");
                assertEquals((0xfffe + i) & 0xffff, u16(b, 18), "IPv4 identification");
                assertEquals(0, foldComplement(sum(b, 14, 34)), "IPv4 header checksum");
            } else {
                assertEquals(b.length - 54, u16(b, 18), "IPv6 payload length");
            }
            int tcp = 14 + (v4 ? 20 : 40);
            assertEquals(SEQ0 + offset, i32(b, tcp + 4), "sequence of segment " + i);
            assertEquals(0x12345678, i32(b, tcp + 8));
            int flags = b[tcp + 13] & 0xff;
            assertEquals(i == 0, (flags & Tcp.FLAG_CWR) != 0, "CWR only on the first");
            assertEquals(i == n - 1, (flags & Tcp.FLAG_FIN) != 0, "FIN only on the last");
            assertEquals(i == n - 1, (flags & Tcp.FLAG_PSH) != 0, "PSH only on the last");
            assertTrue((flags & Tcp.FLAG_ACK) != 0);
            assertArrayEquals(Arrays.copyOfRange(original, tcp + 20, tcp + 32), Arrays.copyOfRange(b, tcp + 20, tcp + 32),
                    "options copied");
            assertTrue(tcpChecksumValid(b, v4), "TCP checksum of segment " + i);
            offset += seg;
            cache.free(f);
        }
        assertEquals(payload, offset);
    }

    @Test
    void segmentsA64KiBIpv4SuperFrame() {
        checkSegments(true);
    }

    @Test
    void segmentsA64KiBIpv6SuperFrame() {
        checkSegments(false);
    }

    @Test
    void refusesWhatItCannotCutAndLeavesTheFrameAlone() {
        TcpSegmenter segmenter = new TcpSegmenter(slab);
        int f = superFrame(true, 20_000, Tcp.FLAG_ACK);
        PacketVector small = new PacketVector(4);
        assertEquals(TcpSegmenter.TOO_MANY_SEGMENTS, segmenter.segment(f, cache, small));
        assertTrue(small.isEmpty());
        Bytes.u8(m, slab.dataStart(f) + 14 + 9, Ip4.PROTOCOL_UDP);
        assertEquals(TcpSegmenter.MALFORMED, segmenter.segment(f, cache, new PacketVector(64)));
        Bytes.u8(m, slab.dataStart(f) + 14 + 9, Ip4.PROTOCOL_TCP);
        slab.setGso(f, FrameSlab.GSO_TCPV4, 0, 0);
        assertEquals(TcpSegmenter.MALFORMED, segmenter.segment(f, cache, new PacketVector(64)), "gso_size 0");
        slab.setLength(f, 40);
        assertEquals(TcpSegmenter.MALFORMED, segmenter.segment(f, cache, new PacketVector(64)), "cut short");
        cache.free(f);
    }

    @Test
    void anEmptyPoolEmitsNothing() {
        FrameSlab tiny = FrameSlab.withLargeFrames(8, 1);
        try {
            FramePool p = new FramePool(tiny);
            FrameCache c = new FrameCache(p, 4);
            int f = c.allocateLarge();
            long d = tiny.dataStart(f);
            MemorySegment.copy(m, slab.dataStart(superFrame(true, 30_000, Tcp.FLAG_ACK)), tiny.memory(), d, 14 + 52 + 30_000);
            tiny.setLength(f, 14 + 52 + 30_000);
            tiny.setGso(f, FrameSlab.GSO_TCPV4, MSS, 0);
            PacketVector out = new PacketVector(64);
            assertEquals(TcpSegmenter.NO_FRAME, new TcpSegmenter(tiny).segment(f, c, out));
            assertTrue(out.isEmpty());
            c.free(f);
            c.flush();
            assertEquals(8, p.available(), "every segment made before the pool ran dry went back");
            assertEquals(1, p.availableLarge());
        } finally {
            tiny.close();
        }
    }

    @Test
    void completesPartialTcpChecksums() {
        for (boolean v4 : new boolean[] {true, false}) {
            int f = superFrame(v4, 1000, Tcp.FLAG_ACK);
            slab.setGso(f, FrameSlab.GSO_NONE, 0, 0);
            long d = slab.dataStart(f);
            int l4 = 14 + (v4 ? 20 : 40);
            int tcpLength = slab.length(f) - l4;
            // What a sender with CHECKSUM_PARTIAL leaves in the field: the folded pseudo-header sum.
            long pseudo = v4
                    ? Checksum.add(m, d + 14 + 12, 8, 0) + 6 + tcpLength
                    : Checksum.pseudoHeader6(m, d + 14, tcpLength, 6);
            Bytes.u16(m, d + l4 + Tcp.CHECKSUM, Checksum.fold(pseudo));
            assertTrue(ChecksumOffload.complete(slab, f));
            assertEquals(0, slab.offloadFlags(f) & FrameSlab.NEEDS_CSUM);
            assertTrue(tcpChecksumValid(bytes(f), v4), v4 ? "IPv4" : "IPv6");
            cache.free(f);
        }
    }

    @Test
    void refusesAChecksumOffsetOutsideThePacket() {
        int f = superFrame(true, 100, Tcp.FLAG_ACK);
        slab.setChecksumOffload(f, FrameSlab.NEEDS_CSUM, slab.length(f) - 1, 16);
        byte[] before = bytes(f);
        assertFalse(ChecksumOffload.complete(slab, f));
        assertArrayEquals(before, bytes(f));
        cache.free(f);
    }

    @Test
    void prependAndStripKeepOffloadOffsetsOnTheSameBytes() {
        int f = superFrame(true, 100, Tcp.FLAG_ACK);
        slab.prepend(f, 4);
        assertEquals(14 + 20 + 4, slab.csumStart(f));
        assertEquals(14 + 20 + 32 + 4, slab.gsoHeaderLength(f));
        slab.strip(f, 4);
        assertEquals(14 + 20, slab.csumStart(f));
        cache.free(f);
    }
}
