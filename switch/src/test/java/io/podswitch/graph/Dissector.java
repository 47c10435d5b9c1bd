package io.podswitch.graph;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a frame into named fields (eth.dst, ip.ttl, icmp.type, ...) so golden tests compare output
 * with expectations field by field and report the first field that differs by name. Test code only.
 */
public final class Dissector {
    private Dissector() {
    }

    public static Map<String, String> fields(byte[] frame) {
        Map<String, String> f = new LinkedHashMap<>();
        ByteBuffer b = ByteBuffer.wrap(frame);
        if (frame.length < 14) {
            f.put("frame.truncated", hex(frame));
            return f;
        }
        f.put("eth.dst", mac(b, 0));
        f.put("eth.src", mac(b, 6));
        int type = b.getShort(12) & 0xffff;
        f.put("eth.type", String.format("0x%04x", type));
        int l3 = 14;
        if (type == 0x8100) {
            f.put("vlan.id", Integer.toString(b.getShort(14) & 0xfff));
            type = b.getShort(16) & 0xffff;
            f.put("vlan.type", String.format("0x%04x", type));
            l3 = 18;
        }
        if (type == 0x0806) {
            f.put("arp.htype", Integer.toString(b.getShort(l3) & 0xffff));
            f.put("arp.ptype", String.format("0x%04x", b.getShort(l3 + 2) & 0xffff));
            f.put("arp.op", Integer.toString(b.getShort(l3 + 6) & 0xffff));
            f.put("arp.sha", mac(b, l3 + 8));
            f.put("arp.spa", ip4(b, l3 + 14));
            f.put("arp.tha", mac(b, l3 + 18));
            f.put("arp.tpa", ip4(b, l3 + 24));
            f.put("frame.len", Integer.toString(frame.length));
        } else if (type == 0x0800) {
            int hl = (b.get(l3) & 0xf) * 4;
            f.put("ip.version", Integer.toString((b.get(l3) & 0xff) >>> 4));
            f.put("ip.hl", Integer.toString(hl));
            f.put("ip.tos", Integer.toString(b.get(l3 + 1) & 0xff));
            f.put("ip.len", Integer.toString(b.getShort(l3 + 2) & 0xffff));
            f.put("ip.id", Integer.toString(b.getShort(l3 + 4) & 0xffff));
            f.put("ip.flags", String.format("0x%04x", b.getShort(l3 + 6) & 0xffff));
            f.put("ip.ttl", Integer.toString(b.get(l3 + 8) & 0xff));
            f.put("ip.proto", Integer.toString(b.get(l3 + 9) & 0xff));
            f.put("ip.checksum", String.format("0x%04x", b.getShort(l3 + 10) & 0xffff));
            f.put("ip.src", ip4(b, l3 + 12));
            f.put("ip.dst", ip4(b, l3 + 16));
            int proto = b.get(l3 + 9) & 0xff;
            int l4 = l3 + hl;
            if (proto == 1 && frame.length >= l4 + 8) {
                f.put("icmp.type", Integer.toString(b.get(l4) & 0xff));
                f.put("icmp.code", Integer.toString(b.get(l4 + 1) & 0xff));
                f.put("icmp.checksum", String.format("0x%04x", b.getShort(l4 + 2) & 0xffff));
                f.put("icmp.rest", String.format("0x%08x", b.getInt(l4 + 4)));
                f.put("icmp.data", hex(TestFrames.slice(frame, l4 + 8, frame.length)));
            } else {
                f.put("ip.payload", hex(TestFrames.slice(frame, l4, frame.length)));
            }
        } else if (type == 0x86dd) {
            f.put("ip6.vtf", String.format("0x%08x", b.getInt(l3)));
            f.put("ip6.plen", Integer.toString(b.getShort(l3 + 4) & 0xffff));
            f.put("ip6.nxt", Integer.toString(b.get(l3 + 6) & 0xff));
            f.put("ip6.hlim", Integer.toString(b.get(l3 + 7) & 0xff));
            f.put("ip6.src", ip6(frame, l3 + 8));
            f.put("ip6.dst", ip6(frame, l3 + 24));
            int l4 = l3 + 40;
            if ((b.get(l3 + 6) & 0xff) == 58 && frame.length >= l4 + 8) {
                int t = b.get(l4) & 0xff;
                f.put("icmp6.type", Integer.toString(t));
                f.put("icmp6.code", Integer.toString(b.get(l4 + 1) & 0xff));
                f.put("icmp6.checksum", String.format("0x%04x", b.getShort(l4 + 2) & 0xffff));
                f.put("icmp6.body", String.format("0x%08x", b.getInt(l4 + 4)));
                if ((t == 135 || t == 136) && frame.length >= l4 + 24) {
                    f.put("nd.target", ip6(frame, l4 + 8));
                    f.put("nd.options", hex(TestFrames.slice(frame, l4 + 24, frame.length)));
                } else {
                    f.put("icmp6.data", hex(TestFrames.slice(frame, l4 + 8, frame.length)));
                }
            } else {
                f.put("ip6.payload", hex(TestFrames.slice(frame, l4, frame.length)));
            }
        } else {
            f.put("payload", hex(TestFrames.slice(frame, l3, frame.length)));
        }
        return f;
    }

    static String mac(ByteBuffer b, int off) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(String.format("%02x", b.get(off + i) & 0xff));
        }
        return s.toString();
    }

    static String ip4(ByteBuffer b, int off) {
        return (b.get(off) & 0xff) + "." + (b.get(off + 1) & 0xff) + "." + (b.get(off + 2) & 0xff) + "."
                + (b.get(off + 3) & 0xff);
    }

    static String ip6(byte[] frame, int off) {
        try {
            return InetAddress.getByAddress(TestFrames.slice(frame, off, off + 16)).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
