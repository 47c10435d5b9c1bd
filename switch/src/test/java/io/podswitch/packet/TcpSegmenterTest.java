package io.podswitch.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Software TCP segmentation of 64 KiB GSO super-frames (IPv4 and IPv6) into MSS-sized frames, and
 * checksum completion of partial checksums. Every length, sequence number, flag and checksum is
 * checked against an independent byte-array computation.
 */
class TcpSegmenterTest {
    private static final int MSS = TcpFrames.MSS;
    private static final int SEQ0 = TcpFrames.SEQ0;

    private final FrameSlab slab = FrameSlab.withLargeFrames(512, 4);
    private final FramePool pool = new FramePool(slab);
    private final FrameCache cache = new FrameCache(pool, 64);
    private final MemorySegment m = slab.memory();
    private final TcpFrames frames = new TcpFrames(slab, cache);

    private int superFrame(boolean v4, int payload, int tcpFlags) {
        return frames.superFrame(v4, payload, tcpFlags);
    }

    private byte[] bytes(int frame) {
        return frames.bytes(frame);
    }

    @AfterEach
    void close() {
        slab.close();
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
                assertEquals(b.length - 14, TcpFrames.u16(b, 16), "IPv4 total length");
                assertEquals((0xfffe + i) & 0xffff, TcpFrames.u16(b, 18), "IPv4 identification");
                assertEquals(0, TcpFrames.foldComplement(TcpFrames.sum(b, 14, 34)), "IPv4 header checksum");
            } else {
                assertEquals(b.length - 54, TcpFrames.u16(b, 18), "IPv6 payload length");
            }
            int tcp = 14 + (v4 ? 20 : 40);
            assertEquals(SEQ0 + offset, TcpFrames.i32(b, tcp + 4), "sequence of segment " + i);
            assertEquals(0x12345678, TcpFrames.i32(b, tcp + 8));
            int flags = b[tcp + 13] & 0xff;
            assertEquals(i == 0, (flags & Tcp.FLAG_CWR) != 0, "CWR only on the first");
            assertEquals(i == n - 1, (flags & Tcp.FLAG_FIN) != 0, "FIN only on the last");
            assertEquals(i == n - 1, (flags & Tcp.FLAG_PSH) != 0, "PSH only on the last");
            assertTrue((flags & Tcp.FLAG_ACK) != 0);
            assertArrayEquals(Arrays.copyOfRange(original, tcp + 20, tcp + 32), Arrays.copyOfRange(b, tcp + 20, tcp + 32),
                    "options copied");
            assertTrue(TcpFrames.tcpChecksumValid(b, v4), "TCP checksum of segment " + i);
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
            assertTrue(TcpFrames.tcpChecksumValid(bytes(f), v4), v4 ? "IPv4" : "IPv6");
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
