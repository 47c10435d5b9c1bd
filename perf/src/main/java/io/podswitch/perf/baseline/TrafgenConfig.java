package io.podswitch.perf.baseline;

import java.util.Locale;

/**
 * A trafgen (netsniff-ng) packet description for one UDP/IPv4 frame of a given wire size. Sizes
 * follow RFC 2544: a "64 B" frame is 60 bytes handed to the NIC plus the 4-byte FCS it appends.
 * <pre>
 *  0      6      12   14                  34        42           size-4
 *  | dst  | src  |type| IPv4 header (20)  | UDP (8) | zero payload |
 *  |  MAC |  MAC |0800| csumip(14, 33)    | csum 0  |              |
 * </pre>
 * The IPv4 checksum is computed by trafgen ({@code csumip}); the UDP checksum is 0 (none), which
 * IPv4 allows and which keeps the generator cheap.
 */
public final class TrafgenConfig {

    public static final int MIN_SIZE = 64;
    public static final int MAX_SIZE = 1518;
    static final int FCS = 4;
    static final int HEADERS = 14 + 20 + 8;

    private TrafgenConfig() {
    }

    public static String udp(int wireSize, String srcMac, String dstMac, String srcIp, String dstIp, int srcPort,
                             int dstPort) {
        if (wireSize < MIN_SIZE || wireSize > MAX_SIZE) {
            throw new IllegalArgumentException("trafgen frames are " + MIN_SIZE + ".." + MAX_SIZE + " bytes, got " + wireSize);
        }
        int frame = wireSize - FCS;
        int ipLength = frame - 14;
        int udpLength = ipLength - 20;
        int payload = frame - HEADERS;
        StringBuilder c = new StringBuilder();
        c.append("/* podswitch bench: UDP ").append(srcIp).append(':').append(srcPort).append(" -> ").append(dstIp)
                .append(':').append(dstPort).append(", ").append(wireSize).append(" B on the wire */\n{\n");
        c.append("  ").append(macBytes(dstMac)).append(",\n");
        c.append("  ").append(macBytes(srcMac)).append(",\n");
        c.append("  c16(0x0800),\n");
        c.append("  0x45, 0x00, c16(").append(ipLength).append("), c16(0), c16(0x4000), 64, 17, csumip(14, 33),\n");
        c.append("  ").append(ipBytes(srcIp)).append(",\n");
        c.append("  ").append(ipBytes(dstIp)).append(",\n");
        c.append("  c16(").append(srcPort).append("), c16(").append(dstPort).append("), c16(").append(udpLength)
                .append("), c16(0),\n");
        c.append("  fill(0x00, ").append(payload).append("),\n}\n");
        return c.toString();
    }

    static String macBytes(String mac) {
        String[] parts = mac.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: '" + mac + "'");
        }
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            int b = Integer.parseInt(p, 16);
            if (b < 0 || b > 255 || p.length() != 2) {
                throw new IllegalArgumentException("not a MAC address: '" + mac + "'");
            }
            sb.append(sb.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "0x%02x", b));
        }
        return sb.toString();
    }

    static String ipBytes(String ip) {
        String[] parts = ip.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + ip + "'");
        }
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            int b = Integer.parseInt(p);
            if (b < 0 || b > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + ip + "'");
            }
            sb.append(sb.isEmpty() ? "" : ", ").append(b);
        }
        return sb.toString();
    }
}
