package io.podswitch.overlay;

import io.podswitch.packet.Ethernet;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.Ip6;

import java.nio.ByteBuffer;
import java.util.regex.Pattern;

/**
 * One remote tunnel endpoint (VTEP), immutable. Built on the control thread, it carries the complete
 * outer header stack for frames sent to the peer as prebuilt bytes, so encapsulation is one copy of
 * {@link #headerLength()} bytes plus a few length, port and checksum fields; the sums of the fields
 * that never change are precomputed too.
 *
 * <pre>
 *  template (outer IPv4: 50 bytes, outer IPv6: 70 bytes)
 *  +----------------+-------------------------+-------------+--------------------------+
 *  | Ethernet (14)  | IPv4 (20) or IPv6 (40)  | UDP (8)     | VXLAN or Geneve base (8) |
 *  | dst=remoteMac  | DF, TTL 64, proto UDP   | sport 0 *   | VNI                      |
 *  | src=localMac   | src=local dst=remote    | dport=port  |                          |
 *  |                | len 0 *, IPv4 csum 0 *  | len 0 *     |                          |
 *  +----------------+-------------------------+-------------+--------------------------+
 *  * filled per packet by the Encapsulator
 * </pre>
 */
public final class TunnelPeer {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final int id;
    private final String name;
    private final TunnelMode mode;
    private final int vni;
    private final int port;
    private final long localMac;
    private final long remoteMac;
    private final boolean ip6;
    private final int local4;
    private final int remote4;
    private final long local6High;
    private final long local6Low;
    private final long remote6High;
    private final long remote6Low;
    private final byte[] template;
    private final long fixedSum;
    final String encapPacketsName;
    final String encapBytesName;
    final String decapPacketsName;
    final String decapBytesName;

    private TunnelPeer(int id, String name, TunnelMode mode, int vni, int port, long localMac, long remoteMac,
                       boolean ip6, int local4, int remote4, long[] local6, long[] remote6) {
        if (id < 0) {
            throw new IllegalArgumentException("peer id must not be negative: " + id);
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("peer name must be 1-64 of [A-Za-z0-9_.-]: '" + name + "'");
        }
        if (mode == null) {
            throw new IllegalArgumentException("peer '" + name + "': no tunnel mode");
        }
        if (vni < 0 || vni > TunnelHeaders.MAX_VNI) {
            throw new IllegalArgumentException("peer '" + name + "': VNI " + vni + " outside [0, 16777215]");
        }
        if (port < 1 || port > 0xffff) {
            throw new IllegalArgumentException("peer '" + name + "': UDP port " + port + " outside [1, 65535]");
        }
        if (Ethernet.isMulticast(remoteMac) || Ethernet.isMulticast(localMac)) {
            throw new IllegalArgumentException("peer '" + name + "': outer MAC addresses must be unicast");
        }
        this.id = id;
        this.name = name;
        this.mode = mode;
        this.vni = vni;
        this.port = port;
        this.localMac = localMac;
        this.remoteMac = remoteMac;
        this.ip6 = ip6;
        this.local4 = local4;
        this.remote4 = remote4;
        this.local6High = ip6 ? local6[0] : 0;
        this.local6Low = ip6 ? local6[1] : 0;
        this.remote6High = ip6 ? remote6[0] : 0;
        this.remote6Low = ip6 ? remote6[1] : 0;
        if (ip6 ? !unicast6(remote6High, remote6Low) || !unicast6(local6High, local6Low)
                : Ip4.isMartianSource(remote4) || Ip4.isMartianSource(local4)) {
            throw new IllegalArgumentException("peer '" + name + "': tunnel addresses must be unicast");
        }
        this.template = buildTemplate();
        this.fixedSum = ip6 ? pseudoHeaderSum() : ip4HeaderSum();
        String prefix = "overlay.peer." + name + ".";
        this.encapPacketsName = prefix + "encap_packets";
        this.encapBytesName = prefix + "encap_bytes";
        this.decapPacketsName = prefix + "decap_packets";
        this.decapBytesName = prefix + "decap_bytes";
    }

    /** A peer reached over outer IPv4. */
    public static TunnelPeer ip4(int id, String name, TunnelMode mode, int vni, int port, long localMac,
                                 long remoteMac, int localAddress, int remoteAddress) {
        return new TunnelPeer(id, name, mode, vni, port, localMac, remoteMac, false, localAddress, remoteAddress,
                null, null);
    }

    /** A peer reached over outer IPv6; addresses as {high, low} (see {@link Ip6#parse}). */
    public static TunnelPeer ip6(int id, String name, TunnelMode mode, int vni, int port, long localMac,
                                 long remoteMac, long[] localAddress, long[] remoteAddress) {
        if (localAddress == null || localAddress.length != 2 || remoteAddress == null || remoteAddress.length != 2) {
            throw new IllegalArgumentException("peer '" + name + "': IPv6 addresses must be {high, low}");
        }
        return new TunnelPeer(id, name, mode, vni, port, localMac, remoteMac, true, 0, 0, localAddress,
                remoteAddress);
    }

    private static boolean unicast6(long high, long low) {
        return !Ip6.isMulticast(high) && !Ip6.isUnspecified(high, low) && !Ip6.isLoopback(high, low);
    }

    private byte[] buildTemplate() {
        ByteBuffer b = ByteBuffer.allocate(headerLength());
        b.putShort((short) (remoteMac >>> 32)).putInt((int) remoteMac);
        b.putShort((short) (localMac >>> 32)).putInt((int) localMac);
        if (ip6) {
            b.putShort((short) Ethernet.TYPE_IP6);
            b.putInt(0x6000_0000).putShort((short) 0).put((byte) Ip6.NEXT_HEADER_UDP)
                    .put((byte) Ip6.DEFAULT_HOP_LIMIT);
            b.putLong(local6High).putLong(local6Low).putLong(remote6High).putLong(remote6Low);
        } else {
            b.putShort((short) Ethernet.TYPE_IP4);
            // Identification 0 with DF: an atomic datagram (RFC 6864); tunnels must not be fragmented.
            b.put((byte) 0x45).put((byte) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) Ip4.FLAG_DF).put((byte) Ip4.DEFAULT_TTL).put((byte) Ip4.PROTOCOL_UDP)
                    .putShort((short) 0).putInt(local4).putInt(remote4);
        }
        b.putShort((short) 0).putShort((short) port).putShort((short) 0).putShort((short) 0);
        if (mode == TunnelMode.VXLAN) {
            b.put((byte) TunnelHeaders.VXLAN_FLAG_I).put((byte) 0).putShort((short) 0);
        } else {
            b.put((byte) 0).put((byte) 0).putShort((short) TunnelHeaders.PROTOCOL_TEB);
        }
        b.putInt(vni << 8);
        return b.array();
    }

    // Sum of the IPv4 header words with total length (and checksum) zero; the per-packet checksum is
    // finish(fixedSum + totalLength).
    private long ip4HeaderSum() {
        long s = 0;
        for (int i = Ethernet.HEADER_LENGTH; i < Ethernet.HEADER_LENGTH + Ip4.MIN_HEADER_LENGTH; i += 2) {
            s += ((template[i] & 0xff) << 8) | (template[i + 1] & 0xff);
        }
        return s;
    }

    // IPv6 pseudo-header without the upper-layer length: both addresses and the next header (UDP).
    private long pseudoHeaderSum() {
        long s = Ip6.NEXT_HEADER_UDP;
        for (long v : new long[] {local6High, local6Low, remote6High, remote6Low}) {
            for (int shift = 48; shift >= 0; shift -= 16) {
                s += (v >>> shift) & 0xffff;
            }
        }
        return s;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public TunnelMode mode() {
        return mode;
    }

    public int vni() {
        return vni;
    }

    /** UDP destination port of frames to the peer, and the port its frames must arrive on. */
    public int port() {
        return port;
    }

    public long localMac() {
        return localMac;
    }

    public long remoteMac() {
        return remoteMac;
    }

    public boolean isIp6() {
        return ip6;
    }

    public int local4() {
        return local4;
    }

    public int remote4() {
        return remote4;
    }

    public long local6High() {
        return local6High;
    }

    public long local6Low() {
        return local6Low;
    }

    public long remote6High() {
        return remote6High;
    }

    public long remote6Low() {
        return remote6Low;
    }

    /** Bytes of outer headers: 50 (outer IPv4) or 70 (outer IPv6). */
    public int headerLength() {
        return Ethernet.HEADER_LENGTH + ipHeaderLength() + TunnelHeaders.UDP_HEADER_LENGTH
                + TunnelHeaders.TUNNEL_HEADER_LENGTH;
    }

    public int ipHeaderLength() {
        return ip6 ? Ip6.HEADER_LENGTH : Ip4.MIN_HEADER_LENGTH;
    }

    /** The prebuilt outer headers; never modify (package-private: the encapsulator copies from it). */
    byte[] template() {
        return template;
    }

    /** IPv4: the header sum without total length; IPv6: the pseudo-header sum without the length. */
    long fixedSum() {
        return fixedSum;
    }

    @Override
    public String toString() {
        return "peer " + name + " (" + mode + " vni " + vni + " to "
                + (ip6 ? Ip6.format(remote6High, remote6Low) : Ip4.format(remote4)) + " port " + port + ")";
    }
}
