package io.podswitch.graph;

import java.nio.ByteBuffer;

import static io.podswitch.graph.TestFrames.checksum;
import static io.podswitch.graph.TestFrames.pseudo6;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * TCP/UDP test packets with checksums computed from scratch (RFC 1071 the plain way), and a verifier
 * that recomputes every checksum of a frame the graph produced, independently of the code under test.
 */
final class ServiceFrames {
    static final int SYN = 0x02;
    static final int ACK = 0x10;
    static final int RST = 0x04;
    static final int FIN = 0x01;
    static final int PSH = 0x08;

    private ServiceFrames() {
    }

    static long pseudo4(int src, int dst, int protocol, int length) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
    }

    static byte[] tcpSegment(int sport, int dport, int flags, int seq, int ack, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(20 + data.length);
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack);
        b.put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        b.put(data);
        return b.array();
    }

    static byte[] udpDatagram(int sport, int dport, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + data.length)).putShort((short) 0);
        b.put(data);
        return b.array();
    }

    private static byte[] withChecksum(byte[] l4, int offset, long pseudo, boolean udp) {
        int c = checksum(l4, 0, l4.length, pseudo);
        if (udp && c == 0) {
            c = 0xffff;
        }
        l4[offset] = (byte) (c >>> 8);
        l4[offset + 1] = (byte) c;
        return l4;
    }

    static byte[] tcp4(int src, int dst, int ttl, int sport, int dport, int flags, int seq, int ack, byte[] data) {
        byte[] t = tcpSegment(sport, dport, flags, seq, ack, data);
        return TestFrames.ip4Packet(src, dst, ttl, 6, 0x4000, 7, withChecksum(t, 16, pseudo4(src, dst, 6, t.length), false));
    }

    static byte[] udp4(int src, int dst, int ttl, int sport, int dport, byte[] data, boolean checksummed) {
        byte[] u = udpDatagram(sport, dport, data);
        if (checksummed) {
            withChecksum(u, 6, pseudo4(src, dst, 17, u.length), true);
        }
        return TestFrames.ip4Packet(src, dst, ttl, 17, 0x4000, 7, u);
    }

    static byte[] tcp6(byte[] src, byte[] dst, int hop, int sport, int dport, int flags, int seq, int ack, byte[] data) {
        byte[] t = tcpSegment(sport, dport, flags, seq, ack, data);
        return TestFrames.ip6Packet(src, dst, hop, 6, withChecksum(t, 16, pseudo6(src, dst, t.length, 6), false));
    }

    static byte[] udp6(byte[] src, byte[] dst, int hop, int sport, int dport, byte[] data) {
        byte[] u = udpDatagram(sport, dport, data);
        return TestFrames.ip6Packet(src, dst, hop, 17, withChecksum(u, 6, pseudo6(src, dst, u.length, 17), true));
    }

    /** Recomputes the IPv4 header, TCP/UDP/ICMP or IPv6 TCP/UDP/ICMPv6 checksum of an Ethernet frame. */
    static void assertChecksumsValid(byte[] frame) {
        int type = (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
        if (type == 0x0800) {
            int hl = (frame[14] & 0xf) * 4;
            assertEquals(0, checksum(frame, 14, hl, 0), "IPv4 header checksum");
            int total = (frame[16] & 0xff) << 8 | (frame[17] & 0xff);
            int proto = frame[23] & 0xff;
            int l4 = 14 + hl;
            int len = total - hl;
            int src = ByteBuffer.wrap(frame, 26, 4).getInt();
            int dst = ByteBuffer.wrap(frame, 30, 4).getInt();
            if (proto == 6) {
                assertEquals(0, checksum(frame, l4, len, pseudo4(src, dst, 6, len)), "TCP checksum");
            } else if (proto == 17) {
                if (frame[l4 + 6] != 0 || frame[l4 + 7] != 0) {
                    assertEquals(0, checksum(frame, l4, len, pseudo4(src, dst, 17, len)), "UDP checksum");
                }
            } else if (proto == 1) {
                assertEquals(0, checksum(frame, l4, len, 0), "ICMP checksum");
            }
        } else if (type == 0x86dd) {
            int len = (frame[18] & 0xff) << 8 | (frame[19] & 0xff);
            int next = frame[20] & 0xff;
            byte[] src = java.util.Arrays.copyOfRange(frame, 22, 38);
            byte[] dst = java.util.Arrays.copyOfRange(frame, 38, 54);
            assertEquals(0, checksum(frame, 54, len, pseudo6(src, dst, len, next)), "IPv6 upper-layer checksum");
        }
    }
}
