package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FramePool;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.PacketVector;
import io.podswitch.port.memory.MemoryPort;
import io.podswitch.service.ConnTrackTimeouts;
import io.podswitch.service.FlowHash;
import io.podswitch.service.HairpinAddresses;
import io.podswitch.service.ServiceConnTrack;
import io.podswitch.service.ServiceEndpoint;
import io.podswitch.service.ServiceEntry;
import io.podswitch.service.ServiceKind;
import io.podswitch.service.ServiceTable;
import io.podswitch.service.SessionAffinity;

import java.util.ArrayList;
import java.util.List;

import static io.podswitch.graph.TestFrames.ip4;
import static io.podswitch.graph.TestFrames.mac;

/**
 * Two workers' graphs sharing one service table, over in-memory ports, stepped one frame at a time.
 * Worker 0 is meant to poll the pod port, worker 1 the uplink (replies then cross workers).
 *
 * <pre>
 *   pods 10.0.0.10 / fd00::10 (POD_MAC), 10.0.0.20 / fd00::20 (POD2_MAC)
 *        ──[port 0 "pod0" 10.0.0.1 fd00::1]── switch ──[port 1 "uplink" 192.168.1.1 fd01::1, uplink]──
 *   router 192.168.1.254 / fd01::fe (ROUTER_MAC): 172.16.0.0/16 and 2001:db8::/32 behind it
 * </pre>
 */
final class ServiceHarness implements AutoCloseable {
    static final long POD_PORT_MAC = mac("02:00:00:00:00:01");
    static final long UPLINK_MAC = mac("02:00:00:00:01:01");
    static final long POD_MAC = mac("02:aa:00:00:00:10");
    static final long POD2_MAC = mac("02:aa:00:00:00:20");
    static final long ROUTER_MAC = mac("02:bb:00:00:00:fe");
    static final int POD_PORT = 0;
    static final int UPLINK = 1;
    static final int TABLE_SIZE = 65537;

    record Out(int port, byte[] frame) {
    }

    final FrameSlab slab = new FrameSlab(1024);
    final FramePool pool = new FramePool(slab);
    final MemoryPort pod = new MemoryPort(POD_PORT, "pod0", pool, 2, 256);
    static final int UPLINK_MTU = 1400;
    final MemoryPort uplink = new MemoryPort(UPLINK, "uplink", pool, 2, 256, UPLINK_MTU);
    final ServiceTable table = new ServiceTable(64, 2);
    final ServiceConnTrack[] tracks = new ServiceConnTrack[2];
    final SessionAffinity[] affinities = new SessionAffinity[2];
    final L3Graph[] graphs = new L3Graph[2];
    final io.podswitch.policy.PolicyConnTrack[] policyTracks = new io.podswitch.policy.PolicyConnTrack[2];
    final io.podswitch.policy.DenyLog[] denyLogs = new io.podswitch.policy.DenyLog[2];
    private final FrameCache[] caches = new FrameCache[2];
    private final PacketVector burst = new PacketVector(64);
    long now = 1_000_000_000L;
    private int generation = 1;

    ServiceHarness() {
        this(4096);
    }

    ServiceHarness(int conntrackCapacity) {
        this(conntrackCapacity, false, null);
    }

    /**
     * With NetworkPolicy: {@code policy} (null for none) is shared by both workers, each with its own policy
     * connection table (the arrays {@link #policyTracks} and {@link #denyLogs}).
     */
    ServiceHarness(int conntrackCapacity, io.podswitch.policy.PolicyTables policy) {
        this(conntrackCapacity, false, policy);
    }

    ServiceHarness(int conntrackCapacity, boolean podPortIsHostPort) {
        this(conntrackCapacity, podPortIsHostPort, null);
    }

    /**
     * With {@code podPortIsHostPort}, port 0 is marked as the node's host port whose kernel side is
     * 10.0.0.10 / fd00::10 ({@link Interface.Builder#hostAddresses}): traffic from other sources arriving
     * there was forwarded by the node's kernel from outside.
     */
    ServiceHarness(int conntrackCapacity, boolean podPortIsHostPort, io.podswitch.policy.PolicyTables policy) {
        Interface.Builder podBuilder = Interface.builder(pod, POD_PORT_MAC).ip4("10.0.0.1").ip6("fd00::1").ip6("fe80::1");
        if (podPortIsHostPort) {
            long[] host6 = Ip6.parse("fd00::10");
            podBuilder.hostAddresses(new int[] {ip4("10.0.0.10")}, new long[] {host6[0]}, new long[] {host6[1]});
        }
        Interface podIf = podBuilder.build();
        Interface upIf = Interface.builder(uplink, UPLINK_MAC).ip4("192.168.1.1").ip6("fd01::1").uplink(true).build();
        InterfaceTable interfaces = new InterfaceTable(podIf, upIf);
        AdjacencyTable adj = new AdjacencyTable(16);
        int local = adj.addLocal();
        int podNet = adj.addConnected(POD_PORT, 0);
        int upNet = adj.addConnected(UPLINK, 0);
        int via = adj.addVia4(UPLINK, ip4("192.168.1.254"), 0);
        long[] r6 = Ip6.parse("fd01::fe");
        int via6 = adj.addVia6(UPLINK, r6[0], r6[1], 0);
        NaiveLpm4 fib4 = new NaiveLpm4().add("10.0.0.1/32", local).add("192.168.1.1/32", local)
                .add("10.0.0.0/24", podNet).add("192.168.1.0/24", upNet).add("172.16.0.0/16", via);
        NaiveLpm6 fib6 = new NaiveLpm6().add("fd00::1/128", local).add("fd01::1/128", local).add("fd00::/64", podNet)
                .add("fd01::/64", upNet).add("2001:db8::/32", via6);
        for (int w = 0; w < 2; w++) {
            tracks[w] = new ServiceConnTrack("service-conntrack.worker" + w, conntrackCapacity, ConnTrackTimeouts.DEFAULTS);
            affinities[w] = new SessionAffinity("affinity.worker" + w, 1024, 64, 10_800_000_000_000L);
            policyTracks[w] = new io.podswitch.policy.PolicyConnTrack("policy-conntrack", conntrackCapacity,
                    ConnTrackTimeouts.DEFAULTS);
            denyLogs[w] = new io.podswitch.policy.DenyLog(64, 1000);
        }
        for (int w = 0; w < 2; w++) {
            NeighborTable neighbors = new NeighborTable(64);
            neighbors.putStatic4(UPLINK, ip4("192.168.1.254"), ROUTER_MAC);
            neighbors.putStatic6(UPLINK, r6[0], r6[1], ROUTER_MAC);
            neighbors.putStatic4(POD_PORT, ip4("10.0.0.10"), POD_MAC);
            neighbors.putStatic4(POD_PORT, ip4("10.0.0.20"), POD2_MAC);
            long[] p6 = Ip6.parse("fd00::10");
            neighbors.putStatic6(POD_PORT, p6[0], p6[1], POD_MAC);
            long[] p62 = Ip6.parse("fd00::20");
            neighbors.putStatic6(POD_PORT, p62[0], p62[1], POD2_MAC);
            GraphServices services = new GraphServices(table, tracks, w, affinities[w], HairpinAddresses.DEFAULTS, 1024);
            GraphPolicy graphPolicy = policy == null ? null
                    : new GraphPolicy(policy, policyTracks, w, denyLogs[w], 1024);
            graphs[w] = new L3Graph(slab, interfaces, fib4, fib6, adj, neighbors, w, L3GraphConfig.DEFAULTS, null,
                    services, graphPolicy);
            caches[w] = new FrameCache(pool, 32);
            graphs[w].tick(now);
        }
    }

    /** Publishes a ClusterIP (or node-port) service entry under {@code id}; a new generation each call. */
    ServiceEntry put(int id, ServiceKind kind, int protocol, String address, int port, List<ServiceEndpoint> endpoints,
                     boolean externalLocal, long affinityNanos) {
        long high;
        long low;
        if (address.contains(":")) {
            long[] a = Ip6.parse(address);
            high = a[0];
            low = a[1];
        } else {
            high = FlowHash.IPV4_MAPPED_HIGH;
            low = FlowHash.ipv4MappedLow(ip4(address));
        }
        ServiceEntry e = new ServiceEntry(id, "svc" + id, kind, protocol, high, low, port, endpoints, externalLocal,
                affinityNanos, generation++, TABLE_SIZE);
        table.put(e);
        return e;
    }

    ServiceEntry put(int id, int protocol, String vip, int port, List<ServiceEndpoint> endpoints) {
        return put(id, ServiceKind.CLUSTER_IP, protocol, vip, port, endpoints, false, 0);
    }

    static ServiceEndpoint ep4(String address, int port) {
        return ServiceEndpoint.ipv4(ip4(address), port, 1, true, false, address.startsWith("10.0.0."));
    }

    static ServiceEndpoint ep6(String address, int port) {
        long[] a = Ip6.parse(address);
        return new ServiceEndpoint(a[0], a[1], port, 1, true, false, address.startsWith("fd00::"));
    }

    /** Worker {@code worker} receives {@code frame} on {@code port}; returns everything transmitted. */
    List<Out> send(int worker, int port, byte[] frame) {
        MemoryPort in = port == POD_PORT ? pod : uplink;
        if (!in.inject(0, frame)) {
            throw new AssertionError("inject failed");
        }
        burst.clear();
        in.receive(0, burst, caches[worker]);
        graphs[worker].process(burst, caches[worker]);
        graphs[worker].flush(caches[worker]);
        List<Out> out = new ArrayList<>();
        for (MemoryPort p : new MemoryPort[] {pod, uplink}) {
            for (int q = 0; q < 2; q++) {
                byte[] b;
                while ((b = p.take(q)) != null) {
                    out.add(new Out(p.id(), b));
                }
            }
        }
        return out;
    }

    /** The single frame {@code send} produced, asserting it left on {@code port}. */
    byte[] sendExpectOne(int worker, int port, byte[] frame, int outPort) {
        List<Out> out = send(worker, port, frame);
        if (out.size() != 1) {
            throw new AssertionError("expected one frame out, got " + out.size());
        }
        if (out.get(0).port() != outPort) {
            throw new AssertionError("frame left on port " + out.get(0).port() + ", expected " + outPort);
        }
        return out.get(0).frame();
    }

    void advance(long nanos) {
        now += nanos;
        for (L3Graph g : graphs) {
            g.tick(now);
        }
    }

    /**
     * Lets pending neighbour resolutions time out, drains every transmit ring and returns the workers'
     * cached frames to the pool: afterwards every frame is in the pool unless one leaked.
     */
    int settle() {
        advance(10_000_000_000L);
        int drained = 0;
        for (int w = 0; w < 2; w++) {
            graphs[w].flush(caches[w]);
        }
        for (MemoryPort p : new MemoryPort[] {pod, uplink}) {
            for (int q = 0; q < 2; q++) {
                while (p.take(q) != null) {
                    drained++;
                }
            }
        }
        for (FrameCache c : caches) {
            c.flush();
        }
        return drained;
    }

    long counter(int worker, String name) {
        return graphs[worker].counter(name);
    }

    @Override
    public void close() {
        for (FrameCache c : caches) {
            if (c != null) {
                c.flush();
            }
        }
        slab.close();
    }
}
