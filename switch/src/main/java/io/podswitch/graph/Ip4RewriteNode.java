package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.neighbor.NeighborCache;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Checksum;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.Icmp4;
import io.podswitch.packet.Ip4;
import io.podswitch.packet.TcpSegmenter;

import java.lang.foreign.MemorySegment;

/**
 * ip4-rewrite: the last step before a port. In order: TTL (≤ 1 → time exceeded), MTU (too big with
 * DF → fragmentation needed carrying the next-hop MTU; without DF the packet is dropped and counted
 * as fragmentation_not_supported: the switch does not fragment), TTL decrement with the header
 * checksum updated incrementally (RFC 1624 eqn. 3 over the TTL/protocol word), source MAC of the
 * egress port, destination MAC from the adjacency or the neighbour table; a next hop without a
 * neighbour entry waits in the ARP resolver. Packets the switch built itself keep their TTL. An
 * ENCAP adjacency (a remote pod network) goes through the same TTL and MTU steps (its MTU already
 * excludes the tunnel headers), then to {@link GraphOverlay#send} instead of a neighbour; without an
 * overlay it is a bad adjacency.
 *
 * <p>GSO super-frames (from a TAP with offloads) are checked as the segments they become (IP header +
 * TCP header + gso_size ≤ MTU). Their IPv4 header checksum is complete, so the TTL update is the same;
 * their TCP checksum is partial (pseudo-header only), which the TTL does not enter.
 */
final class Ip4RewriteNode extends GraphNode {
    static final int TTL_EXPIRED = 0;
    static final int MTU_EXCEEDED = 1;
    static final int FRAGMENTATION_NOT_SUPPORTED = 2;
    static final int BAD_ADJACENCY = 3;
    static final int LOCAL_TOO_BIG = 4;

    private final AdjacencyTable adjacencies;
    private final GraphOverlay overlay;
    private final InterfaceTable interfaces;
    private final NeighborCache neighbors;
    private final InterfaceOutput output;
    private final ArpResolver resolver;
    GraphNode icmpError;

    Ip4RewriteNode(GraphContext ctx, ArpResolver resolver) {
        super("ip4-rewrite", ctx, "ttl_expired", "mtu_exceeded", "fragmentation_not_supported", "bad_adjacency",
                "local_too_big");
        this.adjacencies = ctx.adjacencies;
        this.overlay = ctx.overlay;
        this.interfaces = ctx.interfaces;
        this.neighbors = ctx.neighbors.ip4();
        this.output = ctx.output;
        this.resolver = resolver;
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            int adj = meta.adjacency[f];
            int port = adjacencies.port(adj);
            Interface iface = interfaces.get(port);
            if (iface == null) {
                drop(f, BAD_ADJACENCY, cache);
                continue;
            }
            long eth = slab.dataStart(f);
            long ip = eth + Ethernet.HEADER_LENGTH;
            boolean originated = meta.has(f, FrameMetadata.ORIGINATED);
            // TTL, protocol and checksum are bytes 8-11 (every packet here has a whole header): one load
            // for the TTL check and the decrement below, one store.
            int ttlProtocolChecksum = Bytes.i32(m, ip + Ip4.TTL);
            int ttl = ttlProtocolChecksum >>> 24;
            if (!originated && ttl <= 1) {
                counters.count(TTL_EXPIRED);
                meta.requestError(f, Icmp4.TIME_EXCEEDED, Icmp4.CODE_TTL_EXCEEDED, 0);
                enqueue(icmpError, f, cache);
                continue;
            }
            int adjMtu = adjacencies.mtu(adj);
            int mtu = adjMtu > 0 && adjMtu < iface.mtu() ? adjMtu : iface.mtu();
            // A GSO super-frame goes on the wire as its segments: check the largest segment, not the whole.
            int wireLength = slab.gsoType(f) == FrameSlab.GSO_NONE
                    ? Bytes.u16(m, ip + Ip4.TOTAL_LENGTH)
                    : TcpSegmenter.segmentLength4(m, ip, slab.gsoSize(f));
            if (wireLength > mtu) {
                if (originated) {
                    drop(f, LOCAL_TOO_BIG, cache);
                } else if ((Bytes.u16(m, ip + Ip4.FLAGS_FRAGMENT) & Ip4.FLAG_DF) != 0) {
                    counters.count(MTU_EXCEEDED);
                    meta.requestError(f, Icmp4.DESTINATION_UNREACHABLE, Icmp4.CODE_FRAGMENTATION_NEEDED, mtu);
                    enqueue(icmpError, f, cache);
                } else {
                    drop(f, FRAGMENTATION_NOT_SUPPORTED, cache);
                }
                continue;
            }
            if (!originated) {
                int oldWord = ttlProtocolChecksum >>> 16;
                int newWord = oldWord - 0x100;
                Bytes.i32(m, ip + Ip4.TTL, (newWord << 16) | Checksum.update(ttlProtocolChecksum & 0xffff, oldWord, newWord));
            }
            meta.flags[f] = 0;
            byte kind = adjacencies.kind(adj);
            if (kind == AdjacencyTable.REWRITE) {
                // The common case (a pod, a known next hop): both MACs with two stores.
                Bytes.macs(m, eth, adjacencies.mac(adj), iface.mac());
                output.send(port, f, cache);
                continue;
            }
            Bytes.mac(m, eth + Ethernet.SOURCE, iface.mac());
            int nextHop;
            if (kind == AdjacencyTable.ENCAP) {
                if (overlay == null) {
                    drop(f, BAD_ADJACENCY, cache);
                } else {
                    overlay.send(f, adjacencies.peer(adj), port, output, cache);
                }
                continue;
            } else if (kind == AdjacencyTable.CONNECTED) {
                nextHop = Bytes.i32(m, ip + Ip4.DESTINATION);
            } else if (kind == AdjacencyTable.VIA) {
                nextHop = adjacencies.nextHop4(adj);
            } else {
                drop(f, BAD_ADJACENCY, cache);
                continue;
            }
            long key = nextHop & 0xffff_ffffL;
            int slot = neighbors.find(port, 0, key);
            if (slot >= 0) {
                Bytes.mac(m, eth + Ethernet.DESTINATION, neighbors.mac(slot));
                output.send(port, f, cache);
                resolver.confirm(slot, port, 0, key, cache);
            } else {
                resolver.hold(f, port, 0, key, cache);
            }
        }
    }
}
