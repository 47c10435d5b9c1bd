package io.podswitch.graph;

import io.podswitch.fib.AdjacencyTable;
import io.podswitch.fib.Ip4Lookup;
import io.podswitch.fib.Ip6Lookup;
import io.podswitch.neighbor.NeighborTable;
import io.podswitch.overlay.PeerTable;
import io.podswitch.packet.FrameCache;
import io.podswitch.packet.FrameSlab;
import io.podswitch.packet.PacketVector;
import io.podswitch.stats.CounterSource;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's IPv4/IPv6 router graph (see docs/graph.md for the picture):
 *
 * <pre>
 *  ethernet-input ─┬─► arp ─────────────────────────────────────────► interface-output
 *                  ├─► ip4-input ─► ip4-lookup ─┬─► ip4-rewrite ─────► interface-output
 *                  │                    ▲       ├─► ip4-local ─(echo reply)─► ip4-lookup
 *                  │                    └───────┴─► icmp4-error (also from ip4-rewrite)
 *                  └─► ip6-input ─► ip6-lookup ─┬─► ip6-rewrite ─────► interface-output
 *                          │                    ├─► ip6-local ─► nd (unicast NS/NA)
 *                          └─► nd (multicast)   └─► icmp6-error ─► ip6-lookup
 *  ip4/ip6-rewrite: ENCAP adjacencies are wrapped for a tunnel peer and leave on the uplink
 *  ethernet-input ─► overlay-decap (uplink, UDP 4789/6081 to us) ─► ethernet-input (inner frame)
 *  unresolved next hops wait in ip4-neighbor / ip6-neighbor until arp / nd learn them
 *  with services and NetworkPolicy: ip4-input ─► ip4-service ─► ip4-lookup ─► ip4-policy ─► ip4-rewrite
 * </pre>
 *
 * Each call to {@link #process} pushes the burst through the nodes in a fixed order, repeating the
 * pass while a node still has packets (a packet turned into an ICMP error or echo reply goes round
 * once more through lookup and rewrite). Packets stay one frame each and every node vector is as
 * large as a chunk of the burst, so no node vector can overflow. Output is buffered per port and
 * handed to the ports in {@link #flush}.
 *
 * <p>Single-threaded: one instance per worker, called only from that worker's thread. The FIBs and
 * the adjacency table are shared and read lock-free; the neighbour table is this worker's own.
 */
public final class L3Graph implements PacketProcessor, CounterSource {
    /** More passes than any packet can need (ICMP error → lookup → rewrite is the longest loop). */
    private static final int MAX_PASSES = 8;
    private static final long EXPIRY_INTERVAL_NANOS = 1_000_000_000L;

    private final GraphContext ctx;
    private final EthernetInputNode ethernetInput;
    private final GraphNode[] order;
    private final ArpResolver arpResolver;
    private final NdResolver ndResolver;
    private final NodeCounters graphCounters = new NodeCounters("graph", "pass_limit");
    private final int chunk;
    /** The service stage's backend choice, or null without services. */
    private final ServiceBalancer balancer;
    /** The policy stage's decisions, or null without NetworkPolicy. */
    private final PolicyStage policyStage;
    private long lastExpiryNanos = Long.MIN_VALUE;
    private boolean housekeepingDue;

    /**
     * @param slab        the frame slab the worker's packets live in (sizes the per-frame metadata)
     * @param interfaces  the ports this worker transmits on, with MAC, MTU and own addresses
     * @param txQueue     the transmit queue index this worker uses on every port
     */
    public L3Graph(FrameSlab slab, InterfaceTable interfaces, Ip4Lookup fib4, Ip6Lookup fib6,
                   AdjacencyTable adjacencies, NeighborTable neighbors, int txQueue, L3GraphConfig config) {
        this(slab, interfaces, fib4, fib6, adjacencies, neighbors, txQueue, config, null);
    }

    /**
     * A graph with an overlay: ENCAP adjacencies wrap packets for the {@code peers}' tunnels, and
     * VXLAN/Geneve frames arriving on an {@link Interface#uplink() uplink} for one of its addresses
     * are decapsulated and routed (see docs/overlay.md, "Graph integration").
     *
     * @param peers the tunnel peers (shared, written by the control thread); null for no overlay
     */
    public L3Graph(FrameSlab slab, InterfaceTable interfaces, Ip4Lookup fib4, Ip6Lookup fib6,
                   AdjacencyTable adjacencies, NeighborTable neighbors, int txQueue, L3GraphConfig config,
                   PeerTable peers) {
        this(slab, interfaces, fib4, fib6, adjacencies, neighbors, txQueue, config, peers, null);
    }

    /**
     * A graph with services (docs/service.md, "Data path"): ip4-service / ip6-service sit between
     * ip-input and lookup, DNAT packets to service keys and translate replies back.
     *
     * @param peers    the tunnel peers, or null for no overlay
     * @param services this worker's view of the service tables, or null for no services
     */
    public L3Graph(FrameSlab slab, InterfaceTable interfaces, Ip4Lookup fib4, Ip6Lookup fib6,
                   AdjacencyTable adjacencies, NeighborTable neighbors, int txQueue, L3GraphConfig config,
                   PeerTable peers, GraphServices services) {
        this(slab, interfaces, fib4, fib6, adjacencies, neighbors, txQueue, config, peers, services, null);
    }

    /**
     * A graph with NetworkPolicy (docs/network-policy.md, "Data path"): ip4-policy / ip6-policy sit between
     * lookup and rewrite, after the service stage, and drop what the policy tables deny.
     *
     * @param services this worker's view of the service tables, or null for no services
     * @param policy   this worker's view of the policy tables, or null for no policy stage
     */
    public L3Graph(FrameSlab slab, InterfaceTable interfaces, Ip4Lookup fib4, Ip6Lookup fib6,
                   AdjacencyTable adjacencies, NeighborTable neighbors, int txQueue, L3GraphConfig config,
                   PeerTable peers, GraphServices services, GraphPolicy policy) {
        if (txQueue < 0) {
            throw new IllegalArgumentException("negative tx queue: " + txQueue);
        }
        ctx = new GraphContext(slab, interfaces, fib4, fib6, adjacencies, neighbors, txQueue, config, peers);
        chunk = config.vectorCapacity();
        arpResolver = new ArpResolver(ctx);
        ndResolver = new NdResolver(ctx);
        ethernetInput = new EthernetInputNode(ctx);
        ArpNode arp = new ArpNode(ctx, arpResolver);
        Ip4InputNode ip4Input = new Ip4InputNode(ctx);
        Ip6InputNode ip6Input = new Ip6InputNode(ctx);
        NdNode nd = new NdNode(ctx, ndResolver);
        Ip4LookupNode ip4Lookup = new Ip4LookupNode(ctx);
        Ip6LookupNode ip6Lookup = new Ip6LookupNode(ctx);
        Ip4LocalNode ip4Local = new Ip4LocalNode(ctx);
        Ip6LocalNode ip6Local = new Ip6LocalNode(ctx);
        Ip4RewriteNode ip4Rewrite = new Ip4RewriteNode(ctx, arpResolver);
        Ip6RewriteNode ip6Rewrite = new Ip6RewriteNode(ctx, ndResolver);
        Icmp4ErrorNode icmp4Error = new Icmp4ErrorNode(ctx);
        Icmp6ErrorNode icmp6Error = new Icmp6ErrorNode(ctx);

        OverlayDecapNode overlayDecap = new OverlayDecapNode(ctx);
        overlayDecap.ethernetInput = ethernetInput;
        ethernetInput.overlayDecap = ctx.overlay == null ? null : overlayDecap;
        ethernetInput.arp = arp;
        ethernetInput.ip4Input = ip4Input;
        ethernetInput.ip6Input = ip6Input;
        ip4Input.lookup = ip4Lookup;
        ip6Input.lookup = ip6Lookup;
        ip6Input.nd = nd;
        ip4Lookup.local = ip4Local;
        ip4Lookup.rewrite = ip4Rewrite;
        ip4Lookup.icmpError = icmp4Error;
        ip6Lookup.local = ip6Local;
        ip6Lookup.rewrite = ip6Rewrite;
        ip6Lookup.icmpError = icmp6Error;
        ip4Local.lookup = ip4Lookup;
        ip6Local.lookup = ip6Lookup;
        ip6Local.nd = nd;
        ip4Rewrite.icmpError = icmp4Error;
        ip6Rewrite.icmpError = icmp6Error;
        icmp4Error.lookup = ip4Lookup;
        icmp6Error.lookup = ip6Lookup;

        List<GraphNode> nodes = new ArrayList<>(List.of(ethernetInput, overlayDecap, arp, ip4Input, ip6Input));
        if (services == null) {
            balancer = null;
        } else {
            balancer = new ServiceBalancer(services);
            Service4Node ip4Service = new Service4Node(ctx, balancer);
            Service6Node ip6Service = new Service6Node(ctx, balancer);
            ip4Input.lookup = ip4Service;
            ip6Input.lookup = ip6Service;
            ip4Service.lookup = ip4Lookup;
            ip4Service.icmpError = icmp4Error;
            ip6Service.lookup = ip6Lookup;
            ip6Service.icmpError = icmp6Error;
            // Errors the switch itself sends about a DNATed packet (TTL expired, fragmentation needed /
            // packet too big towards a remote backend) quote the translated header: they go through the
            // service stage, which translates the quote back, so the client's PMTU discovery works.
            icmp4Error.lookup = ip4Service;
            icmp6Error.lookup = ip6Service;
            nodes.addAll(List.of(ip4Service, ip6Service));
        }
        nodes.addAll(List.of(ip4Lookup, ip6Lookup));
        if (policy == null) {
            policyStage = null;
        } else {
            // After the lookup (and so after the service stage): packets to a Service are judged against
            // the backend they now go to; only forwarded packets (not those for the switch itself) pass here.
            policyStage = new PolicyStage(policy);
            Policy4Node ip4Policy = new Policy4Node(ctx, policyStage);
            Policy6Node ip6Policy = new Policy6Node(ctx, policyStage);
            ip4Lookup.rewrite = ip4Policy;
            ip6Lookup.rewrite = ip6Policy;
            ip4Policy.next = ip4Rewrite;
            ip6Policy.next = ip6Rewrite;
            nodes.addAll(List.of(ip4Policy, ip6Policy));
        }
        nodes.addAll(List.of(ip4Local, ip6Local, nd, ip4Rewrite, ip6Rewrite, icmp4Error, icmp6Error));
        order = nodes.toArray(new GraphNode[0]);
    }

    public L3Graph(FrameSlab slab, InterfaceTable interfaces, Ip4Lookup fib4, Ip6Lookup fib6,
                   AdjacencyTable adjacencies, NeighborTable neighbors, int txQueue) {
        this(slab, interfaces, fib4, fib6, adjacencies, neighbors, txQueue, L3GraphConfig.DEFAULTS);
    }

    @Override
    public void process(PacketVector burst, FrameCache cache) {
        int n = burst.size();
        PacketVector in = ethernetInput.input;
        byte[] flags = ctx.meta.flags;
        for (int start = 0; start < n; start += chunk) {
            int end = Math.min(n, start + chunk);
            for (int i = start; i < end; i++) {
                int f = burst.frame(i);
                flags[f] = 0;   // a received frame carries no flags (DECAPSULATED must not be stale)
                in.add(f);
            }
            dispatch(cache);
        }
        burst.clear();
    }

    private void dispatch(FrameCache cache) {
        GraphNode[] nodes = order;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            int work = 0;
            for (GraphNode node : nodes) {
                work += node.run(cache);
            }
            if (work == 0) {
                return;
            }
        }
        // Unreachable by construction; if a loop ever appears, drop what is left rather than spin.
        for (GraphNode node : nodes) {
            PacketVector v = node.input;
            graphCounters.count(0, v.size());
            cache.freeAll(v);
        }
        graphCounters.commit();
    }

    @Override
    public int flush(FrameCache cache) {
        if (housekeepingDue) {
            housekeepingDue = false;
            arpResolver.housekeeping(cache);
            ndResolver.housekeeping(cache);
        }
        arpResolver.counters.commit();
        ndResolver.counters.commit();
        if (ctx.overlay != null) {
            ctx.overlay.encapCounters.commit();
        }
        return ctx.output.flush(cache);
    }

    /** Advances the graph's clock, refills the ICMP token bucket, ages neighbours; resolver timers run in the next flush. */
    @Override
    public void tick(long nowNanos) {
        ctx.clock.nowNanos = nowNanos;
        ctx.icmpBucket.refill(nowNanos);
        if (lastExpiryNanos == Long.MIN_VALUE || nowNanos - lastExpiryNanos >= EXPIRY_INTERVAL_NANOS) {
            lastExpiryNanos = nowNanos;
            ctx.neighbors.expire(nowNanos);
        }
        if (balancer != null) {
            balancer.sweep(nowNanos);
        }
        if (policyStage != null) {
            policyStage.tick(nowNanos);
        }
        housekeepingDue = true;
    }

    public NeighborTable neighbors() {
        return ctx.neighbors;
    }

    /** A published counter by full name, e.g. {@code "ip4-input.bad_checksum"} (tests, tools; not the data path). */
    public long counter(String name) {
        int dot = name.indexOf('.');
        if (dot > 0) {
            String node = name.substring(0, dot);
            String reason = name.substring(dot + 1);
            for (NodeCounters c : allCounters()) {
                if (c.node().equals(node)) {
                    return switch (reason) {
                        case "packets" -> c.packets();
                        case "vectors" -> c.vectors();
                        default -> c.get(reason);
                    };
                }
            }
        }
        throw new IllegalArgumentException("no graph counter named '" + name + "'");
    }

    private NodeCounters[] allCounters() {
        NodeCounters[] all = new NodeCounters[order.length + (ctx.overlay == null ? 4 : 5) + (balancer == null ? 0 : 1)];
        for (int i = 0; i < order.length; i++) {
            all[i] = order[i].counters;
        }
        all[order.length] = arpResolver.counters;
        all[order.length + 1] = ndResolver.counters;
        all[order.length + 2] = ctx.output.counters;
        all[order.length + 3] = graphCounters;
        if (ctx.overlay != null) {
            all[order.length + 4] = ctx.overlay.encapCounters;
        }
        if (balancer != null) {
            all[all.length - 1] = balancer.counters;
        }
        return all;
    }

    /** Every node's counters (packets, vectors, per-reason events), for labelled metrics. */
    public java.util.List<NodeCounters> nodeCounters() {
        return java.util.List.of(allCounters());
    }

    /** This worker's service connection tracking, or null when the graph has no services. */
    public io.podswitch.service.ServiceConnTrack serviceConnTrack() {
        return balancer == null ? null : balancer.config.ownTrack();
    }

    /** This worker's ClientIP affinity table, or null when the graph has none. */
    public io.podswitch.service.SessionAffinity sessionAffinity() {
        return balancer == null ? null : balancer.config.affinity();
    }

    /** This worker's tunnel counters ({@code overlay.*}), or null when the graph has no overlay. */
    public io.podswitch.overlay.OverlayCounters overlayCounters() {
        return ctx.overlay == null ? null : ctx.overlay.counters;
    }

    @Override
    public void visit(CounterVisitor visitor) {
        for (NodeCounters c : allCounters()) {
            c.visit(visitor);
        }
        if (ctx.overlay != null) {
            ctx.overlay.counters.visit(visitor);
        }
        if (balancer != null) {
            balancer.config.ownTrack().visit(visitor);
            if (balancer.config.affinity() != null) {
                balancer.config.affinity().visit(visitor);
            }
        }
        if (policyStage != null) {
            policyStage.config.ownTrack().visit(visitor);
        }
    }
}
