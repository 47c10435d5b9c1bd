package io.podswitch.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * TCP test frames in a slab (a GSO super-frame with options and a patterned payload) and plain
 * byte-array arithmetic to check them against, shared by the segmentation and coalescing tests.
 */
public final class TcpFrames {
    public static final int MSS = 1448;
    static final int SEQ0 = 0xfffff000; // wraps past 2^32 within a super-frame

    private final FrameSlab slab;
    private final FrameCache cache;
    private final MemorySegment m;

    public TcpFrames(FrameSlab slab, FrameCache cache) {
        this.slab = slab;
        this.cache = cache;
        this.m = slab.memory();
    }

    /** Ethernet + IPv4 (or IPv6) + TCP with 12 bytes of options + payload of pattern bytes, in a large frame. */
    public int superFrame(boolean v4, int payload, int tcpFlags) {
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

    byte[] bytes(int frame) {
        byte[] b = new byte[slab.length(frame)];
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, slab.dataStart(frame), b, 0, b.length);
        return b;
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    static int i32(byte[] b, int i) {
        return u16(b, i) << 16 | u16(b, i + 2);
    }

    /** RFC 1071 over byte ranges, written out plainly: the sum of 16-bit words, folded. */
    static long sum(byte[] b, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i += 2) {
            s += (b[i] & 0xff) << 8 | (i + 1 < to ? b[i + 1] & 0xff : 0);
        }
        return s;
    }

    static int foldComplement(long s) {
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) (~s & 0xffff);
    }

    static boolean tcpChecksumValid(byte[] b, boolean v4) {
        int l3 = 14;
        int l4 = l3 + (v4 ? 20 : 40);
        int tcpLength = b.length - l4;
        long s = v4 ? sum(b, l3 + 12, l3 + 20) : sum(b, l3 + 8, l3 + 40);
        s += 6 + tcpLength + sum(b, l4, b.length);
        return foldComplement(s) == 0;
    }
}
