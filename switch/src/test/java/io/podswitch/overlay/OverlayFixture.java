package io.podswitch.overlay;

import io.podswitch.graph.TestFrames;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.mac;
import static io.podswitch.graph.TestFrames.udp;

/** Peers, inner frames and slab helpers shared by the overlay tests. */
final class OverlayFixture {
    static final long LOCAL_MAC = mac("02:00:00:00:0a:01");
    static final long REMOTE_MAC = mac("02:00:00:00:0b:02");
    static final String LOCAL4 = "192.0.2.1";
    static final String REMOTE4 = "192.0.2.2";
    static final String LOCAL6 = "2001:db8:1::1";
    static final String REMOTE6 = "2001:db8:2::2";
    static final int VNI = 0x12_3456;

    private OverlayFixture() {
    }

    /** Peer id 0 (or 1 for outer IPv6) of the given mode. */
    static TunnelPeer peer(TunnelMode mode, boolean outer6) {
        return outer6
                ? TunnelPeer.ip6(1, "node-b6", mode, VNI, mode.defaultPort(), LOCAL_MAC, REMOTE_MAC,
                Ip6.parse(LOCAL6), Ip6.parse(REMOTE6))
                : TunnelPeer.ip4(0, "node-b", mode, VNI, mode.defaultPort(), LOCAL_MAC, REMOTE_MAC,
                ip4(LOCAL4), ip4(REMOTE4));
    }

    /** The same tunnel seen from the other end (node B's peer entry for us): addresses swapped. */
    static TunnelPeer mirror(TunnelPeer p) {
        return p.isIp6()
                ? TunnelPeer.ip6(p.id(), "node-a6", p.mode(), p.vni(), p.port(), REMOTE_MAC, LOCAL_MAC,
                Ip6.parse(REMOTE6), Ip6.parse(LOCAL6))
                : TunnelPeer.ip4(p.id(), "node-a", p.mode(), p.vni(), p.port(), REMOTE_MAC, LOCAL_MAC,
                ip4(REMOTE4), ip4(LOCAL4));
    }

    static PeerTable table(TunnelPeer... peers) {
        PeerTable t = new PeerTable(8);
        for (TunnelPeer p : peers) {
            t.put(p);
        }
        return t;
    }

    /** A pod-to-pod frame: UDP in IPv4 or IPv6 with the given ports. */
    static byte[] inner(boolean inner6, int sport, int dport) {
        long podA = mac("0a:58:0a:f4:01:05");
        long podB = mac("0a:58:0a:f4:02:07");
        byte[] payload = udp(sport, dport, bytes(37, sport));
        return inner6
                ? eth(podB, podA, 0x86dd, ip6Packet(ip6("fd00:10:244:1::5"), ip6("fd00:10:244:2::7"), 64, 17, payload))
                : eth(podB, podA, 0x0800, ip4Packet(ip4("10.244.1.5"), ip4("10.244.2.7"), 64, 17, 0x4000, 9,
                payload));
    }

    /** The 8-byte VXLAN or Geneve header with the fixture VNI. */
    static byte[] tunnelHeader(TunnelMode mode, int vni) {
        ByteBuffer b = ByteBuffer.allocate(8);
        if (mode == TunnelMode.VXLAN) {
            b.putInt(0x0800_0000);
        } else {
            b.putInt(0x0000_6558);
        }
        return b.putInt(vni << 8).array();
    }

    /**
     * The complete expected encapsulated frame, built independently with {@link TestFrames}: every
     * checksum from scratch.
     */
    static byte[] expectedOuter(TunnelMode mode, boolean outer6, int sourcePort, byte[] inner) {
        byte[] udp = udp(sourcePort, mode.defaultPort(), TestFrames.concat(tunnelHeader(mode, VNI), inner));
        if (outer6) {
            int c = TestFrames.checksum(udp, 0, udp.length, TestFrames.pseudo6(ip6(LOCAL6), ip6(REMOTE6), udp.length, 17));
            udp[6] = (byte) ((c == 0 ? 0xffff : c) >>> 8);
            udp[7] = (byte) (c == 0 ? 0xffff : c);
            return eth(REMOTE_MAC, LOCAL_MAC, 0x86dd, ip6Packet(ip6(LOCAL6), ip6(REMOTE6), 64, 17, udp));
        }
        return eth(REMOTE_MAC, LOCAL_MAC, 0x0800, ip4Packet(ip4(LOCAL4), ip4(REMOTE4), 64, 17, 0x4000, 0, udp));
    }

    static void load(FrameSlab slab, int f, byte[] data) {
        slab.reset(f);
        MemorySegment.copy(data, 0, slab.memory(), ValueLayout.JAVA_BYTE, slab.dataStart(f), data.length);
        slab.setLength(f, data.length);
    }

    static byte[] read(FrameSlab slab, int f) {
        byte[] b = new byte[slab.length(f)];
        MemorySegment.copy(slab.memory(), ValueLayout.JAVA_BYTE, slab.dataStart(f), b, 0, b.length);
        return b;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }
}
