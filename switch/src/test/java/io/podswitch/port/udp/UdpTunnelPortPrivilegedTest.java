package io.podswitch.port.udp;

import io.podswitch.graph.Tshark;
import io.podswitch.nativeio.Netns;
import io.podswitch.nativeio.NetnsFixture;
import io.podswitch.overlay.Decapsulator;
import io.podswitch.overlay.Encapsulator;
import io.podswitch.overlay.OverlayCounters;
import io.podswitch.overlay.PeerTable;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.overlay.TunnelPeer;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.PortDropReason;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.podswitch.port.udp.UdpTestFrames.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two "nodes" — network namespaces joined by a veth pair, 10.89.0.1-2/24 and fd89::1-2/64 — each with
 * a dual-stack UDP tunnel port created inside its namespace. Frames encapsulated by node A's
 * Encapsulator for its peer B leave through A's port, arrive on B's port, and B's Decapsulator
 * returns the identical inner frames: outer IPv4 and IPv6, inner IPv4 and IPv6, runs of equal sizes
 * (sent as UDP GSO) and mixed sizes. tshark (when installed) decodes the veth traffic captured in
 * B's namespace as VXLAN / Geneve with the right VNI.
 */
@Tag("privileged")
class UdpTunnelPortPrivilegedTest {
    static final String A4 = "10.89.0.1";
    static final String B4 = "10.89.0.2";
    static final String A6 = "fd89::1";
    static final String B6 = "fd89::2";
    static final int BURST = 40;

    @ParameterizedTest
    @EnumSource(TunnelMode.class)
    void framesCrossTheUnderlayAndDecapsulateToTheSameInnerFrames(TunnelMode mode) throws Exception {
        String sfx = NetnsFixture.suffix();
        String nsA = "pu" + sfx + "a";
        String nsB = "pu" + sfx + "b";
        String vethA = "pu" + sfx + "va";
        String vethB = "pu" + sfx + "vb";
        Path pcap = Files.createTempFile("udp-uplink-" + sfx, ".pcap");
        Process capture = null;
        UdpTunnelPort a = null;
        UdpTunnelPort b = null;
        try {
            NetnsFixture.run("ip", "netns", "add", nsA);
            NetnsFixture.run("ip", "netns", "add", nsB);
            NetnsFixture.run("ip", "link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB,
                    "netns", nsB);
            String[][] sides = {{nsA, vethA, A4, A6}, {nsB, vethB, B4, B6}};
            for (String[] s : sides) {
                NetnsFixture.run("ip", "-n", s[0], "link", "set", "lo", "up");
                NetnsFixture.run("ip", "-n", s[0], "addr", "add", s[2] + "/24", "dev", s[1]);
                NetnsFixture.run("ip", "-n", s[0], "addr", "add", s[3] + "/64", "dev", s[1], "nodad");
                NetnsFixture.run("ip", "-n", s[0], "link", "set", s[1], "up");
            }
            UdpTunnelPortConfig configA = UdpTunnelPortConfig.of("uplink", LoopbackPorts.address(A4),
                    LoopbackPorts.address(A6), mode.defaultPort(), MAC_A, 1500);
            UdpTunnelPortConfig configB = UdpTunnelPortConfig.of("uplink", LoopbackPorts.address(B4),
                    LoopbackPorts.address(B6), mode.defaultPort(), MAC_B, 1500);
            a = Netns.call(nsA, () -> UdpTunnelPort.open(1, configA));
            b = Netns.call(nsB, () -> UdpTunnelPort.open(1, configB));
            if (Tshark.available()) {
                capture = startCapture(nsB, vethB, pcap);
            }

            try (FrameSlab slab = new FrameSlab(1024)) {
                FrameCache cache = new FrameCache(new FramePool(slab), 128);
                TunnelPeer b4 = peerOfA(mode, false, A4, B4, A6, B6);
                TunnelPeer b6 = peerOfA(mode, true, A4, B4, A6, B6);
                Encapsulator encap = encapsulator(slab, table(b4, b6));
                PeerTable tableB = table(peerOfB(mode, false, A4, B4, A6, B6), peerOfB(mode, true, A4, B4, A6, B6));
                OverlayCounters countersB = new OverlayCounters(tableB);
                Decapsulator decap = new Decapsulator(slab, tableB, countersB);

                int expected = 0;
                for (boolean outer6 : new boolean[] {false, true}) {
                    for (boolean inner6 : new boolean[] {false, true}) {
                        for (boolean equalSizes : new boolean[] {true, false}) {
                            List<byte[]> inners = new ArrayList<>();
                            PacketVector out = new PacketVector();
                            for (int i = 0; i < BURST; i++) {
                                int size = equalSizes ? 1300 : 1 + i * 31;
                                byte[] inner = inner(inner6, size, expected + i);
                                inners.add(inner);
                                int f = cache.allocate();
                                load(slab, f, inner);
                                assertTrue(encap.encapsulate(f, outer6 ? b6.id() : b4.id()));
                                out.add(f);
                            }
                            assertEquals(BURST, a.transmit(0, out, cache), "outer6=" + outer6);
                            PacketVector in = new PacketVector();
                            LoopbackPorts.receive(b, in, cache, BURST);
                            String what = "outer6=" + outer6 + " inner6=" + inner6 + " equal=" + equalSizes;
                            assertEquals(BURST, in.size(), what);
                            for (int i = 0; i < BURST; i++) {
                                int f = in.frame(i);
                                int peer = decap.decapsulate(f);
                                assertEquals(outer6 ? 1 : 0, peer, what + " packet " + i);
                                assertArrayEquals(inners.get(i), read(slab, f), what + " packet " + i);
                            }
                            cache.freeAll(in);
                            expected += BURST;
                        }
                    }
                }
                assertEquals(expected, a.counters().txPackets());
                assertEquals(expected, b.counters().rxPackets());
                for (PortDropReason r : PortDropReason.values()) {
                    assertEquals(0, a.counters().drops(r), r.name());
                    assertEquals(0, b.counters().drops(r), r.name());
                }
                assertTrue(a.udpCounters().txGsoMessages() > 0, "equal-size runs went out as GSO");
            }

            if (capture != null) {
                stop(capture);
                capture = null;
                String vniField = mode == TunnelMode.VXLAN ? "vxlan.vni" : "geneve.vni";
                List<List<String>> rows = Tshark.fields(pcap, vniField, "udp.dstport");
                long tunnel = rows.stream().filter(r -> !r.get(0).isEmpty()).count();
                // The capture sees the mixed-size bursts datagram by datagram, and each equal-size burst
                // as the one UDP GSO packet the kernel carried across the veth (segmented at B's socket).
                assertEquals(4 * BURST + 4, tunnel, "tshark decodes every tunnel packet as " + mode);
                for (List<String> r : rows) {
                    if (!r.get(0).isEmpty()) {
                        assertEquals(VNI, Integer.decode(r.get(0)), "VNI (tshark prints Geneve VNIs in hex)");
                        assertEquals(Integer.toString(mode.defaultPort()), r.get(1));
                    }
                }
            }
        } finally {
            if (capture != null) {
                capture.destroyForcibly();
            }
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
            NetnsFixture.quietly("ip", "netns", "del", nsA);
            NetnsFixture.quietly("ip", "netns", "del", nsB);
            Files.deleteIfExists(pcap);
        }
    }

    /** tcpdump in B's namespace, writing every UDP packet on the veth; returns once it listens. */
    private static Process startCapture(String ns, String dev, Path pcap) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "tcpdump", "-i", dev, "-U", "-n", "-w",
                pcap.toString()).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.contains("listening on")) {
                Thread.ofVirtual().start(() -> {
                    try {
                        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                    } catch (java.io.IOException ignored) {
                        // the capture ended
                    }
                });
                return p;
            }
        }
        throw new IllegalStateException("tcpdump did not start: exit " + p.waitFor());
    }

    private static void stop(Process p) throws InterruptedException {
        Thread.sleep(1000); // let tcpdump drain the capture buffer (-U writes each packet at once)
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }
}
