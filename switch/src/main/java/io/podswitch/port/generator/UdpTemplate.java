package io.podswitch.port.generator;

/**
 * A UDP-over-IPv4 or UDP-over-IPv6 Ethernet frame to generate from, with valid checksums, and where
 * its UDP source port and checksum sit so the generator can vary the flow per packet.
 *
 * <pre>
 *  IPv4 (64 bytes by default; no FCS)          IPv6
 *  0      6      12   14          34     42    0      6      12   14          54     62
 *  +------+------+----+-----------+------+---+ +------+------+----+-----------+------+---+
 *  | dst  | src  |0800| IPv4 (20) | UDP  |pay| | dst  | src  |86DD| IPv6 (40) | UDP  |pay|
 *  +------+------+----+-----------+------+---+ +------+------+----+-----------+------+---+
 *  UDP: +0 src port (varied) +2 dst port +4 length +6 checksum (adjusted with the port)
 * </pre>
 *
 * @param bytes the frame
 * @param sourcePortOffset offset of the UDP source port
 * @param checksumOffset offset of the UDP checksum
 * @param checksumBase one's-complement sum of the pseudo-header and UDP segment without the source
 *                     port, folded to 16 bits; checksum(port) = ~fold(checksumBase + port)
 * @param sourcePort the template's own source port
 */
public record UdpTemplate(byte[] bytes, int sourcePortOffset, int checksumOffset, int checksumBase, int sourcePort) {
    private static final int ETH = 14;
    private static final int UDP = 8;

    /** IPv4/UDP frame of {@code frameLength} bytes (at least 42, Ethernet header included). */
    public static UdpTemplate ipv4(long srcMac, long dstMac, int srcIp, int dstIp, int srcPort, int dstPort,
                                   int frameLength) {
        int ip = ETH;
        int udp = ip + 20;
        if (frameLength < udp + UDP || frameLength > 9000) {
            throw new IllegalArgumentException("IPv4/UDP frame length must be in [42, 9000]: " + frameLength);
        }
        byte[] b = new byte[frameLength];
        ethernet(b, dstMac, srcMac, 0x0800);
        int ipLength = frameLength - ETH;
        b[ip] = 0x45;
        put16(b, ip + 2, ipLength);
        put16(b, ip + 6, 0x4000);            // DF
        b[ip + 8] = 64;                       // TTL
        b[ip + 9] = 17;                       // UDP
        put32(b, ip + 12, srcIp);
        put32(b, ip + 16, dstIp);
        put16(b, ip + 10, ~fold(sum(b, ip, 20)) & 0xffff);
        int udpLength = ipLength - 20;
        long pseudo = (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + 17 + udpLength;
        return udp(b, udp, udpLength, srcPort, dstPort, pseudo);
    }

    /** IPv6/UDP frame of {@code frameLength} bytes (at least 62). Addresses as two longs each. */
    public static UdpTemplate ipv6(long srcMac, long dstMac, long srcHigh, long srcLow, long dstHigh, long dstLow,
                                   int srcPort, int dstPort, int frameLength) {
        int ip = ETH;
        int udp = ip + 40;
        if (frameLength < udp + UDP || frameLength > 9000) {
            throw new IllegalArgumentException("IPv6/UDP frame length must be in [62, 9000]: " + frameLength);
        }
        byte[] b = new byte[frameLength];
        ethernet(b, dstMac, srcMac, 0x86DD);
        int udpLength = frameLength - udp;
        b[ip] = 0x60;
        put16(b, ip + 4, udpLength);
        b[ip + 6] = 17;                       // next header UDP
        b[ip + 7] = 64;                       // hop limit
        put64(b, ip + 8, srcHigh);
        put64(b, ip + 16, srcLow);
        put64(b, ip + 24, dstHigh);
        put64(b, ip + 32, dstLow);
        long pseudo = sum(b, ip + 8, 32) + udpLength + 17;
        return udp(b, udp, udpLength, srcPort, dstPort, pseudo);
    }

    private static UdpTemplate udp(byte[] b, int udp, int udpLength, int srcPort, int dstPort, long pseudo) {
        checkPort(srcPort);
        checkPort(dstPort);
        put16(b, udp + 2, dstPort);
        put16(b, udp + 4, udpLength);
        for (int i = udp + UDP; i < b.length; i++) {
            b[i] = (byte) i;                  // a recognisable payload
        }
        // Checksum field and source port are zero here, so this is the sum without the port.
        int base = fold(pseudo + sum(b, udp, udpLength));
        UdpTemplate t = new UdpTemplate(b, udp, udp + 6, base, srcPort);
        put16(b, udp, srcPort);
        put16(b, udp + 6, t.checksumFor(srcPort));
        return t;
    }

    /** The UDP checksum of the template with source port {@code port} (0 is sent as 0xffff). */
    public int checksumFor(int port) {
        int c = ~fold((long) checksumBase + port) & 0xffff;
        return c == 0 ? 0xffff : c;
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("UDP port out of range: " + port);
        }
    }

    private static void ethernet(byte[] b, long dst, long src, int type) {
        put48(b, 0, dst);
        put48(b, 6, src);
        put16(b, 12, type);
    }

    static long sum(byte[] b, int off, int len) {
        long s = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            s += (b[off + len - 1] & 0xff) << 8;
        }
        return s;
    }

    static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void put32(byte[] b, int off, int v) {
        put16(b, off, v >>> 16);
        put16(b, off + 2, v);
    }

    private static void put48(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 32));
        put32(b, off + 2, (int) v);
    }

    private static void put64(byte[] b, int off, long v) {
        put32(b, off, (int) (v >>> 32));
        put32(b, off + 4, (int) v);
    }
}
