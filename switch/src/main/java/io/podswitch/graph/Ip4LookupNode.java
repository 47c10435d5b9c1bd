package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip4Lookup;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Icmp4;
import io.podswitch.packet.Ip4;

import java.lang.foreign.MemorySegment;

/**
 * ip4-lookup: longest-prefix match on the destination, remembers the adjacency for ip4-rewrite, and
 * dispatches: the switch's own addresses to ip4-local, forwardable packets to ip4-rewrite, no route
 * or a drop route to icmp4-error (destination unreachable: net for no route, host for a drop route).
 */
final class Ip4LookupNode extends GraphNode {
    static final int NO_ROUTE = 0;
    static final int DROP_ROUTE = 1;
    static final int L2_MULTICAST_NOT_FORWARDED = 2;

    private final Ip4Lookup fib;
    private final AdjacencyTable adjacencies;
    GraphNode local;
    GraphNode rewrite;
    GraphNode icmpError;

    Ip4LookupNode(GraphContext ctx) {
        super("ip4-lookup", ctx, "no_route", "drop_route", "l2_multicast_not_forwarded");
        this.fib = ctx.fib4;
        this.adjacencies = ctx.adjacencies;
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
            int adj = fib.lookup(Bytes.i32(m, ip + Ip4.DESTINATION));
            if (adj == Ip4Lookup.MISS) {
                counters.count(NO_ROUTE);
                meta.requestError(f, Icmp4.DESTINATION_UNREACHABLE, Icmp4.CODE_NET_UNREACHABLE, 0);
                enqueue(icmpError, f, cache);
                continue;
            }
            meta.adjacency[f] = adj;
            byte kind = adjacencies.kind(adj);
            if (kind == AdjacencyTable.LOCAL) {
                enqueue(local, f, cache);
            } else if (meta.has(f, FrameMetadata.L2_MULTICAST)) {
                // RFC 1812 5.3.4: a packet received as link-layer broadcast is not forwarded.
                drop(f, L2_MULTICAST_NOT_FORWARDED, cache);
            } else if (kind == AdjacencyTable.DROP) {
                counters.count(DROP_ROUTE);
                meta.requestError(f, Icmp4.DESTINATION_UNREACHABLE, Icmp4.CODE_HOST_UNREACHABLE, 0);
                enqueue(icmpError, f, cache);
            } else {
                enqueue(rewrite, f, cache);
            }
        }
    }
}
