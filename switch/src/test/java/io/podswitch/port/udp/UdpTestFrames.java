package io.podswitch.port.udp;

import io.podswitch.graph.TestFrames;
import io.podswitch.overlay.Encapsulator;
import io.podswitch.overlay.OverlayCounters;
import io.podswitch.overlay.PeerTable;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.podswitch.graph.TestFrames.bytes;
import static io.podswitch.graph.TestFrames.eth;
import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.ip4Packet;
import static io.podswitch.graph.TestFrames.ip6;
import static io.podswitch.graph.TestFrames.ip6Packet;
import static io.podswitch.graph.TestFrames.mac;
import static io.podswitch.graph.TestFrames.udp;

/** Two tunnel endpoints ("a" sends, "b" receives), inner frames and slab helpers for the UDP port tests. */
final class UdpTestFrames {
    static final long MAC_A = mac("02:00:00:00:0a:01");
    static final long MAC_B = mac("02:00:00:00:0b:02");
    static final int VNI = 0x00_2a_17;

    private UdpTestFrames() {
    }

    /** Node A's entry for node B (id 0 for outer IPv4, 1 for outer IPv6). */
    static TunnelPeer peerOfA(TunnelMode mode, boolean outer6, String a4, String b4, String a6, String b6) {
        return outer6
                ? TunnelPeer.ip6(1, "b6", mode, VNI, mode.defaultPort(), MAC_A, MAC_B, Ip6.parse(a6), Ip6.parse(b6))
                : TunnelPeer.ip4(0, "b4", mode, VNI, mode.defaultPort(), MAC_A, MAC_B, ip4(a4), ip4(b4));
    }

    /** Node B's entry for node A: the same tunnel, addresses swapped. */
    static TunnelPeer peerOfB(TunnelMode mode, boolean outer6, String a4, String b4, String a6, String b6) {
        return outer6
                ? TunnelPeer.ip6(1, "a6", mode, VNI, mode.defaultPort(), MAC_B, MAC_A, Ip6.parse(b6), Ip6.parse(a6))
                : TunnelPeer.ip4(0, "a4", mode, VNI, mode.defaultPort(), MAC_B, MAC_A, ip4(b4), ip4(a4));
    }

    static PeerTable table(TunnelPeer... peers) {
        PeerTable t = new PeerTable(8);
        for (TunnelPeer p : peers) {
            t.put(p);
        }
        return t;
    }

    static Encapsulator encapsulator(FrameSlab slab, PeerTable peers) {
        return new Encapsulator(slab, peers, new OverlayCounters(peers));
    }

    /** A pod-to-pod UDP frame, inner IPv4 or IPv6, with {@code size} payload bytes seeded by {@code seed}. */
    static byte[] inner(boolean inner6, int size, int seed) {
        long podA = mac("0a:58:0a:f4:01:05");
        long podB = mac("0a:58:0a:f4:02:07");
        byte[] payload = udp(40000 + seed % 1000, 53, bytes(size, seed));
        return inner6
                ? eth(podB, podA, 0x86dd, ip6Packet(ip6("fd00:10:244:1::5"), ip6("fd00:10:244:2::7"), 64, 17, payload))
                : eth(podB, podA, 0x0800, ip4Packet(ip4("10.244.1.5"), ip4("10.244.2.7"), 64, 17, 0x4000, seed,
                payload));
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

    static byte[] concat(byte[]... parts) {
        return TestFrames.concat(parts);
    }
}
