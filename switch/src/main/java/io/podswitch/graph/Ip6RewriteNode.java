package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.neighbor.NeighborCache;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Icmp6;
import io.podswitch.packet.Ip6;
import io.podswitch.packet.TcpSegmenter;

import java.lang.foreign.MemorySegment;

/**
 * ip6-rewrite: hop limit (≤ 1 → time exceeded), MTU (too big → packet too big with the MTU; IPv6
 * routers never fragment), hop limit decrement (no header checksum in IPv6), source MAC of the
 * egress port, destination MAC from the adjacency or the neighbour table, or a wait in the ND
 * resolver. ENCAP adjacencies are encapsulated after the same checks (see ip4-rewrite). Packets the
 * switch built itself keep their hop limit. GSO super-frames are checked as the
 * segments they become (40 + TCP header + gso_size ≤ MTU).
 */
final class Ip6RewriteNode extends GraphNode {
    static final int HOP_LIMIT_EXPIRED = 0;
    static final int MTU_EXCEEDED = 1;
    static final int BAD_ADJACENCY = 2;
    static final int LOCAL_TOO_BIG = 3;

    private final AdjacencyTable adjacencies;
    private final GraphOverlay overlay;
    private final InterfaceTable interfaces;
    private final NeighborCache neighbors;
    private final InterfaceOutput output;
    private final NdResolver resolver;
    GraphNode icmpError;

    Ip6RewriteNode(GraphContext ctx, NdResolver resolver) {
        super("ip6-rewrite", ctx, "hop_limit_expired", "mtu_exceeded", "bad_adjacency", "local_too_big");
        this.adjacencies = ctx.adjacencies;
        this.overlay = ctx.overlay;
        this.interfaces = ctx.interfaces;
        this.neighbors = ctx.neighbors.ip6();
        this.output = ctx.output;
        this.resolver = resolver;
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            int adj = meta.adjacency[f];
            boolean linkLocal = adj == FrameMetadata.ADJ_LINK_LOCAL;
            int port = linkLocal ? slab.inPort(f) : adjacencies.port(adj);
            Interface iface = interfaces.get(port);
            if (iface == null) {
                drop(f, BAD_ADJACENCY, cache);
                continue;
            }
            long eth = slab.dataStart(f);
            long ip = eth + Ethernet.HEADER_LENGTH;
            boolean originated = meta.has(f, FrameMetadata.ORIGINATED);
            int hopLimit = Bytes.u8(m, ip + Ip6.HOP_LIMIT);
            if (!originated && hopLimit <= 1) {
                counters.count(HOP_LIMIT_EXPIRED);
                meta.requestError(f, Icmp6.TIME_EXCEEDED, Icmp6.CODE_HOP_LIMIT_EXCEEDED, 0);
                enqueue(icmpError, f, cache);
                continue;
            }
            int adjMtu = linkLocal ? 0 : adjacencies.mtu(adj);
            int mtu = adjMtu > 0 && adjMtu < iface.mtu() ? adjMtu : iface.mtu();
            // A GSO super-frame goes on the wire as its segments: check the largest segment, not the whole.
            int wireLength = slab.gsoType(f) == FrameSlab.GSO_NONE
                    ? Ip6.HEADER_LENGTH + Bytes.u16(m, ip + Ip6.PAYLOAD_LENGTH)
                    : TcpSegmenter.segmentLength6(m, ip, slab.gsoSize(f));
            if (wireLength > mtu) {
                if (originated) {
                    drop(f, LOCAL_TOO_BIG, cache);
                } else {
                    counters.count(MTU_EXCEEDED);
                    meta.requestError(f, Icmp6.PACKET_TOO_BIG, 0, mtu);
                    enqueue(icmpError, f, cache);
                }
                continue;
            }
            if (!originated) {
                Bytes.u8(m, ip + Ip6.HOP_LIMIT, hopLimit - 1);
            }
            meta.flags[f] = 0;
            byte kind = linkLocal ? AdjacencyTable.CONNECTED : adjacencies.kind(adj);
            if (kind == AdjacencyTable.REWRITE) {
                // The common case (a pod, a known next hop): both MACs with two stores.
                Bytes.macs(m, eth, adjacencies.mac(adj), iface.mac());
                output.send(port, f, cache);
                continue;
            }
            Bytes.mac(m, eth + Ethernet.SOURCE, iface.mac());
            long nextHigh;
            long nextLow;
            if (kind == AdjacencyTable.ENCAP) {
                if (overlay == null) {
                    drop(f, BAD_ADJACENCY, cache);
                } else {
                    overlay.send(f, adjacencies.peer(adj), port, output, cache);
                }
                continue;
            } else if (kind == AdjacencyTable.CONNECTED) {
                nextHigh = Bytes.i64(m, ip + Ip6.DESTINATION);
                nextLow = Bytes.i64(m, ip + Ip6.DESTINATION + 8);
            } else if (kind == AdjacencyTable.VIA) {
                nextHigh = adjacencies.nextHop6High(adj);
                nextLow = adjacencies.nextHop6Low(adj);
            } else {
                drop(f, BAD_ADJACENCY, cache);
                continue;
            }
            int slot = neighbors.find(port, nextHigh, nextLow);
            if (slot >= 0) {
                Bytes.mac(m, eth + Ethernet.DESTINATION, neighbors.mac(slot));
                output.send(port, f, cache);
                resolver.confirm(slot, port, nextHigh, nextLow, cache);
            } else {
                resolver.hold(f, port, nextHigh, nextLow, cache);
            }
        }
    }
}
