package io.podswitch.graph;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * A small packet builder for tests, written independently of the production header code: every
 * checksum is computed from scratch with the textbook RFC 1071 loop.
 */
public final class TestFrames {
    private TestFrames() {
    }

    public static long mac(String text) {
        long v = 0;
        for (String p : text.split(":")) {
            v = (v << 8) | Integer.parseInt(p, 16);
        }
        return v;
    }

    public static int ip4(String text) {
        int v = 0;
        for (String p : text.split("\\.")) {
            v = (v << 8) | Integer.parseInt(p);
        }
        return v;
    }

    public static byte[] ip6(String text) {
        try {
            return java.net.InetAddress.getByName(text).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    public static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 7);
        }
        return b;
    }

    /** RFC 1071, the plain way: sum 16-bit big-endian words, fold carries, complement. */
    public static int checksum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    public static byte[] eth(long dst, long src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) type);
        b.put(payload);
        return b.array();
    }

    public static byte[] vlanEth(long dst, long src, int vid, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(18 + payload.length);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) 0x8100);
        b.putShort((short) vid);
        b.putShort((short) type);
        b.put(payload);
        return b.array();
    }

    static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32));
        b.putInt((int) mac);
    }

    public static byte[] arp(int op, long sha, int spa, long tha, int tpa) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        putMac(b, sha);
        b.putInt(spa);
        putMac(b, tha);
        b.putInt(tpa);
        return b.array();
    }

    /** An IPv4 packet with a correct header checksum; {@code flags} is the flags/offset word. */
    public static byte[] ip4Packet(int src, int dst, int ttl, int protocol, int flags, int id, byte[] payload) {
        return ip4Packet(src, dst, ttl, protocol, flags, id, new byte[0], payload);
    }

    public static byte[] ip4Packet(int src, int dst, int ttl, int protocol, int flags, int id, byte[] options,
                                   byte[] payload) {
        int hl = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(hl + payload.length);
        b.put((byte) (0x40 | hl / 4)).put((byte) 0).putShort((short) (hl + payload.length));
        b.putShort((short) id).putShort((short) flags);
        b.put((byte) ttl).put((byte) protocol).putShort((short) 0);
        b.putInt(src).putInt(dst);
        b.put(options);
        b.put(payload);
        byte[] a = b.array();
        int c = checksum(a, 0, hl, 0);
        a[10] = (byte) (c >>> 8);
        a[11] = (byte) c;
        return a;
    }

    public static byte[] icmp4(int type, int code, int rest, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).putInt(rest).put(data);
        byte[] a = b.array();
        int c = checksum(a, 0, a.length, 0);
        a[2] = (byte) (c >>> 8);
        a[3] = (byte) c;
        return a;
    }

    public static byte[] udp(int sport, int dport, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + data.length)).putShort((short) 0);
        b.put(data);
        return b.array();
    }

    public static byte[] ip6Packet(byte[] src, byte[] dst, int hopLimit, int nextHeader, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x6000_0000).putShort((short) payload.length).put((byte) nextHeader).put((byte) hopLimit);
        b.put(src).put(dst).put(payload);
        return b.array();
    }

    public static long pseudo6(byte[] src, byte[] dst, int length, int nextHeader) {
        long sum = 0;
        for (int i = 0; i < 16; i += 2) {
            sum += ((src[i] & 0xff) << 8) | (src[i + 1] & 0xff);
            sum += ((dst[i] & 0xff) << 8) | (dst[i + 1] & 0xff);
        }
        return sum + (length >>> 16) + (length & 0xffff) + nextHeader;
    }

    /** An ICMPv6 message with its checksum over the pseudo-header of (src, dst). */
    public static byte[] icmp6(byte[] src, byte[] dst, int type, int code, int body, byte[] rest) {
        ByteBuffer b = ByteBuffer.allocate(8 + rest.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).putInt(body).put(rest);
        byte[] a = b.array();
        int c = checksum(a, 0, a.length, pseudo6(src, dst, a.length, 58));
        a[2] = (byte) (c >>> 8);
        a[3] = (byte) c;
        return a;
    }

    /** NS/NA body after the 4 flag bytes: target + optional link-layer option (mac < 0: none). */
    public static byte[] ndBody(byte[] target, int optionType, long mac) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(target);
        if (mac >= 0) {
            ByteBuffer opt = ByteBuffer.allocate(8);
            opt.put((byte) optionType).put((byte) 1);
            putMac(opt, mac);
            o.writeBytes(opt.array());
        }
        return o.toByteArray();
    }

    public static byte[] solicitedNode(byte[] unicast) {
        byte[] a = ip6("ff02::1:ff00:0");
        a[13] = unicast[13];
        a[14] = unicast[14];
        a[15] = unicast[15];
        return a;
    }

    public static long multicastMac(byte[] group) {
        return 0x3333_0000_0000L | ((group[12] & 0xffL) << 24) | ((group[13] & 0xff) << 16)
                | ((group[14] & 0xff) << 8) | (group[15] & 0xff);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    public static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }
}
