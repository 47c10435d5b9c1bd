package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip6Lookup;
import io.podswitch.packet.Bytes;
import io.podswitch.packet.Ethernet;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.Icmp6;
import io.podswitch.packet.Ip6;

import java.lang.foreign.MemorySegment;

/**
 * ip6-lookup: longest-prefix match on the destination and dispatch as ip4-lookup does. Link-local
 * destinations never leave their link (RFC 4291 2.5.6): ours go to ip6-local, our replies to a
 * link-local source go back out of the input port, others are dropped; packets from a link-local
 * source are not forwarded.
 */
final class Ip6LookupNode extends GraphNode {
    static final int NO_ROUTE = 0;
    static final int DROP_ROUTE = 1;
    static final int L2_MULTICAST_NOT_FORWARDED = 2;
    static final int LINK_LOCAL_NOT_FORWARDED = 3;

    private final Ip6Lookup fib;
    private final AdjacencyTable adjacencies;
    private final InterfaceTable interfaces;
    GraphNode local;
    GraphNode rewrite;
    GraphNode icmpError;

    Ip6LookupNode(GraphContext ctx) {
        super("ip6-lookup", ctx, "no_route", "drop_route", "l2_multicast_not_forwarded", "link_local_not_forwarded");
        this.fib = ctx.fib6;
        this.adjacencies = ctx.adjacencies;
        this.interfaces = ctx.interfaces;
    }

    @Override
    void process(FrameCache cache, int n) {
        MemorySegment m = memory;
        for (int i = 0; i < n; i++) {
            int f = input.frame(i);
            long ip = slab.dataStart(f) + Ethernet.HEADER_LENGTH;
            long dstHigh = Bytes.i64(m, ip + Ip6.DESTINATION);
            long dstLow = Bytes.i64(m, ip + Ip6.DESTINATION + 8);
            boolean originated = meta.has(f, FrameMetadata.ORIGINATED);
            if (Ip6.isLinkLocal(dstHigh)) {
                if (originated) {
                    meta.adjacency[f] = FrameMetadata.ADJ_LINK_LOCAL;
                    enqueue(rewrite, f, cache);
                } else if (interfaces.get(slab.inPort(f)).ownsIp6(dstHigh, dstLow)) {
                    enqueue(local, f, cache);
                } else {
                    drop(f, LINK_LOCAL_NOT_FORWARDED, cache);
                }
                continue;
            }
            int adj = fib.lookup(dstHigh, dstLow);
            if (adj == Ip6Lookup.MISS) {
                counters.count(NO_ROUTE);
                meta.requestError(f, Icmp6.DESTINATION_UNREACHABLE, Icmp6.CODE_NO_ROUTE, 0);
                enqueue(icmpError, f, cache);
                continue;
            }
            meta.adjacency[f] = adj;
            byte kind = adjacencies.kind(adj);
            if (kind == AdjacencyTable.LOCAL) {
                enqueue(local, f, cache);
            } else if (meta.has(f, FrameMetadata.L2_MULTICAST)) {
                drop(f, L2_MULTICAST_NOT_FORWARDED, cache);
            } else if (!originated && Ip6.isLinkLocal(Bytes.i64(m, ip + Ip6.SOURCE))) {
                drop(f, LINK_LOCAL_NOT_FORWARDED, cache);
            } else if (kind == AdjacencyTable.DROP) {
                counters.count(DROP_ROUTE);
                meta.requestError(f, Icmp6.DESTINATION_UNREACHABLE, Icmp6.CODE_ADDRESS_UNREACHABLE, 0);
                enqueue(icmpError, f, cache);
            } else {
                enqueue(rewrite, f, cache);
            }
        }
    }
}
