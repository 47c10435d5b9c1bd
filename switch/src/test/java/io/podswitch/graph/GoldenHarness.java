package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.pcap.PcapPort;
import io.podswitch.port.pcap.PcapReader;
import io.podswitch.port.pcap.PcapRecord;
import io.podswitch.port.pcap.PcapWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.mac;

/**
 * The golden-test topology: a pod port and an uplink port, a handful of routes, input pcap files per
 * port (written from test frames), the graph run over them packet by packet in timestamp order with
 * the pcap timestamps as the clock, and the output pcap files read back.
 *
 * <pre>
 *   pod 10.0.0.10 / fd00::10 ──[port 0 "pod0" 10.0.0.1 fd00::1 fe80::1, MTU 1500]
 *                                     switch
 *   router 192.168.1.254 / fd01::fe ──[port 1 "uplink" 192.168.1.1 fd01::1, MTU 1400]
 *   routes: 10.0.0.0/24 connected p0, 192.168.1.0/24 connected p1, 172.16.0.0/16 via .254,
 *           10.0.5.0/24 rewrite p0 (fixed MAC), 10.99.0.0/16 drop, own /32s local;
 *           fd00::/64 p0, fd01::/64 p1, 2001:db8::/32 via fd01::fe, 2001:db8:dead::/48 drop, own /128s local
 * </pre>
 */
final class GoldenHarness {
    static final long POD_PORT_MAC = mac("02:00:00:00:00:01");
    static final long UPLINK_MAC = mac("02:00:00:00:01:01");
    static final long POD_MAC = mac("02:aa:00:00:00:10");
    static final long ROUTER_MAC = mac("02:bb:00:00:00:fe");
    static final long FIXED_POD_MAC = mac("02:cc:00:00:05:05");
    static final int POD_PORT = 0;
    static final int UPLINK = 1;
    static final int UPLINK_MTU = 1400;

    private final Path dir;
    private final L3GraphConfig config;
    private final List<List<PcapRecord>> inputs = List.of(new ArrayList<>(), new ArrayList<>());
    final Path[] outputFiles = new Path[2];
    final List<List<byte[]>> outputs = new ArrayList<>();
    L3Graph graph;
    private int podVlan = Interface.UNTAGGED;
    private long neighborLifetimeNanos = NeighborTable.DEFAULT_LIFETIME_NANOS;
    private boolean podGuard;
    private boolean uplinkProxy;
    private io.podswitch.overlay.PeerTable peers;

    /** Overlay routes installed by {@link #overlay}: IPv4-outer peer 0 and IPv6-outer peer 1. */
    static final String REMOTE_PODS4_VIA_PEER0 = "10.1.0.0/16";
    static final String REMOTE_PODS6_VIA_PEER0 = "fd10::/64";
    static final String REMOTE_PODS4_VIA_PEER1 = "10.2.0.0/16";
    static final String REMOTE_PODS6_VIA_PEER1 = "fd20::/64";

    GoldenHarness(Path dir) {
        this(dir, L3GraphConfig.DEFAULTS);
    }

    GoldenHarness(Path dir, L3GraphConfig config) {
        this.dir = dir;
        this.config = config;
    }

    /** Makes the pod port carry VLAN {@code id} tagged. */
    GoldenHarness podVlan(int id) {
        podVlan = id;
        return this;
    }

    /** Guards the pod port: only POD_MAC with 10.0.0.10 / fd00::10 may send from it. */
    GoldenHarness podGuard() {
        podGuard = true;
        return this;
    }

    /** Makes the uplink answer ARP/NS for every target (as the host port does). */
    GoldenHarness uplinkProxy() {
        uplinkProxy = true;
        return this;
    }

    /**
     * Gives the graph an overlay: the uplink is flagged as such, and the REMOTE_PODS* routes lead to
     * ENCAP adjacencies for peer 0 (MTU UPLINK_MTU − 50) and peer 1 (UPLINK_MTU − 70).
     */
    GoldenHarness overlay(io.podswitch.overlay.PeerTable table) {
        peers = table;
        return this;
    }

    GoldenHarness neighborLifetime(long nanos) {
        neighborLifetimeNanos = nanos;
        return this;
    }

    /** Queues a frame to arrive on {@code port} at {@code micros} microseconds. */
    GoldenHarness input(int port, long micros, byte[] frame) {
        inputs.get(port).add(new PcapRecord(micros * 1000, frame));
        return this;
    }

    GoldenHarness run() throws IOException {
        PcapPort[] ports = new PcapPort[2];
        try (FrameSlab slab = new FrameSlab(512)) {
            for (int p = 0; p < 2; p++) {
                Path in = dir.resolve("in" + p + ".pcap");
                try (PcapWriter w = PcapWriter.create(in, false)) {
                    for (PcapRecord r : inputs.get(p)) {
                        w.write(r);
                    }
                }
                outputFiles[p] = dir.resolve("out" + p + ".pcap");
                ports[p] = PcapPort.open(p, p == 0 ? "pod0" : "uplink", p == 0 ? 1500 : UPLINK_MTU, in,
                        outputFiles[p]);
            }
            Interface.Builder podBuilder = Interface.builder(ports[0], POD_PORT_MAC).ip4("10.0.0.1").ip6("fd00::1")
                    .ip6("fe80::1");
            if (podVlan != Interface.UNTAGGED) {
                podBuilder.vlan(podVlan);
            }
            if (podGuard) {
                long[] guard6 = io.podswitch.packet.Ip6.parse("fd00::10");
                podBuilder.sourceGuard(POD_MAC, new int[] {ip4("10.0.0.10")}, new long[] {guard6[0]},
                        new long[] {guard6[1]});
            }
            Interface pod = podBuilder.build();
            Interface uplink = Interface.builder(ports[1], UPLINK_MAC).ip4("192.168.1.1").ip6("fd01::1")
                    .proxyNeighbors(uplinkProxy).uplink(peers != null).build();
            AdjacencyTable adj = new AdjacencyTable(64);
            int local = adj.addLocal();
            int drop = adj.addDrop();
            int podNet = adj.addConnected(POD_PORT, 0);
            int uplinkNet = adj.addConnected(UPLINK, 0);
            int viaRouter = adj.addVia4(UPLINK, ip4("192.168.1.254"), 0);
            int fixed = adj.addRewrite(POD_PORT, FIXED_POD_MAC, 0);
            long[] router6 = io.podswitch.packet.Ip6.parse("fd01::fe");
            int viaRouter6 = adj.addVia6(UPLINK, router6[0], router6[1], 0);
            NaiveLpm4 fib4 = new NaiveLpm4().add("10.0.0.1/32", local).add("192.168.1.1/32", local)
                    .add("10.0.0.0/24", podNet).add("192.168.1.0/24", uplinkNet).add("172.16.0.0/16", viaRouter)
                    .add("10.0.5.0/24", fixed).add("10.99.0.0/16", drop);
            NaiveLpm6 fib6 = new NaiveLpm6().add("fd00::1/128", local).add("fd01::1/128", local)
                    .add("fd00::/64", podNet).add("fd01::/64", uplinkNet).add("2001:db8::/32", viaRouter6)
                    .add("2001:db8:dead::/48", drop);
            if (peers != null) {
                int encap0 = adj.addEncap(UPLINK, 0, UPLINK_MTU - 50);
                int encap1 = adj.addEncap(UPLINK, 1, UPLINK_MTU - 70);
                fib4.add(REMOTE_PODS4_VIA_PEER0, encap0).add(REMOTE_PODS4_VIA_PEER1, encap1);
                fib6.add(REMOTE_PODS6_VIA_PEER0, encap0).add(REMOTE_PODS6_VIA_PEER1, encap1);
            }
            NeighborTable neighbors = new NeighborTable(256, neighborLifetimeNanos);
            neighbors.putStatic4(UPLINK, ip4("192.168.1.254"), ROUTER_MAC);
            neighbors.putStatic4(POD_PORT, ip4("10.0.0.10"), POD_MAC);
            neighbors.putStatic6(UPLINK, router6[0], router6[1], ROUTER_MAC);
            long[] pod6 = io.podswitch.packet.Ip6.parse("fd00::10");
            neighbors.putStatic6(POD_PORT, pod6[0], pod6[1], POD_MAC);
            graph = new L3Graph(slab, new InterfaceTable(pod, uplink), fib4, fib6, adj, neighbors, 0, config, peers);

            FramePool pool = new FramePool(slab);
            FrameCache cache = new FrameCache(pool, 64);
            PacketVector one = new PacketVector(1);
            long last = 0;
            for (;;) {
                PcapPort next = ports[0].nextTimestampNanos() <= ports[1].nextTimestampNanos() ? ports[0] : ports[1];
                long ts = next.nextTimestampNanos();
                if (ts == Long.MAX_VALUE) {
                    break;
                }
                last = ts;
                graph.tick(ts);
                next.receive(0, one, cache);
                graph.process(one, cache);
                graph.flush(cache);
            }
            graph.tick(last + 10_000_000_000L); // far enough for unanswered resolutions to time out
            graph.flush(cache);
            cache.flush();
            if (pool.available() != slab.frameCount()) {
                throw new AssertionError("frames leaked: " + (slab.frameCount() - pool.available())
                        + " (some may be held legitimately waiting for resolution)");
            }
        } finally {
            for (PcapPort p : ports) {
                if (p != null) {
                    p.close();
                }
            }
        }
        for (int p = 0; p < 2; p++) {
            List<byte[]> frames = new ArrayList<>();
            for (PcapRecord r : PcapReader.readAll(outputFiles[p])) {
                frames.add(r.data());
            }
            outputs.add(frames);
        }
        return this;
    }

    List<byte[]> output(int port) {
        return outputs.get(port);
    }

    long counter(String name) {
        return graph.counter(name);
    }
}
