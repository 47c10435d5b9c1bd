package io.podswitch.daemon.peers;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.config.model.OverlayConfig;
import io.podswitch.config.model.OverlayMode;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.ipam.IpAddresses;
import io.podswitch.fib.AdjacencyTable;
import io.podswitch.overlay.TunnelMode;
import io.podswitch.overlay.TunnelPeer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The other nodes as the switch sees them: per remote node a tunnel peer and an ENCAP adjacency
 * (vxlan/geneve) or a REWRITE adjacency to the next hop's MAC (direct), and switch routes for the node's
 * pod CIDRs and node addresses pointing at it. {@link #apply} installs the difference between what is
 * installed and a new {@link ClusterConfig}: added, removed and changed nodes; the other peers and their
 * routes are not touched, so their pods lose nothing. Control thread only.
 *
 * <p>Remote node addresses are routed through the tunnel too: a pod reaching another node arrives at
 * that node's switch, which delivers it to its host TAP (default route), and the node's reply comes back
 * the same way (its kernel routes the cluster pod CIDRs to its host TAP). Both directions then pass the
 * same interfaces, so strict reverse-path filtering holds.
 *
 * <p>A peer whose next hop's MAC is not (yet) resolved by the kernel stays installed: in overlay mode its
 * tunnel peer is absent from the peer table (its packets are dropped and counted
 * {@code overlay.encap.drop.unknown_peer}); in direct mode its routes point at a DROP adjacency
 * ({@code ip4-lookup.drop_route}, {@code ip6-lookup.drop_route}). {@link #refresh} re-reads the kernel's
 * routes and neighbours and repairs what changed.
 */
public final class PeerManager implements AutoCloseable {
    private static final Pattern PEER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final SwitchEngine engine;
    private final UplinkSide uplink;
    private final NextHops nextHops;
    private final KernelPodRoutes kernelRoutes;
    private final PeerIds ids = new PeerIds(SwitchEngine.PEER_CAPACITY);
    private final Map<String, PeerState> peers = new LinkedHashMap<>();
    private ClusterConfig config;
    /** {@link #localUnderlay(ClusterConfig)} of {@link #config}, looked up once per apply (not once per peer). */
    private InetAddress localUnderlay;
    /** The uplink's IP MTU now (it may change at run time: {@link #uplinkMtuChanged}). */
    private int uplinkMtu;
    /** The kernel's neighbour table read once per {@link #refresh} (null: read on demand). */
    private Map<InetAddress, Long> neighbourSnapshot;

    /**
     * @param kernelRoutes for {@link UplinkSide#kernelRoutesDirect()}; null otherwise
     */
    public PeerManager(SwitchEngine engine, UplinkSide uplink, NextHops nextHops, KernelPodRoutes kernelRoutes,
                       ClusterConfig config) {
        this.engine = engine;
        this.uplink = uplink;
        this.nextHops = nextHops;
        this.kernelRoutes = kernelRoutes;
        this.config = config;
        this.localUnderlay = localUnderlay(config);
        this.uplinkMtu = uplink.mtu();
        apply(config);
    }

    public ClusterConfig config() {
        return config;
    }

    /**
     * Brings the installed peers in line with {@code next}. Changes only a restart can make (this node's
     * pod CIDRs or addresses, the families, the overlay settings) are refused before anything changes.
     *
     * @return a one-line summary, e.g. "1 added, 0 removed, 1 changed, 2 unchanged"
     * @throws IllegalArgumentException when {@code next} needs a restart (nothing changed)
     */
    public String apply(ClusterConfig next) {
        refuseRestartChanges(config, next);
        Map<String, NodeConfig> wanted = new LinkedHashMap<>();
        for (NodeConfig n : next.nodes()) {
            if (!n.name().equals(next.thisNodeName())) {
                wanted.put(n.name(), n);
            }
        }
        List<PeerState> leaving = new ArrayList<>();
        Set<String> changed = new HashSet<>();
        for (PeerState installed : peers.values()) {
            NodeConfig now = wanted.get(installed.node.name());
            if (now == null) {
                leaving.add(installed);
            } else if (!sameReach(installed.node, now)) {
                leaving.add(installed);
                changed.add(installed.node.name());
            }
        }
        int removed = leaving.size() - changed.size();
        remove(leaving);
        int unchanged = peers.size();
        this.config = next;
        this.localUnderlay = localUnderlay(next);
        List<NodeConfig> joining = new ArrayList<>();
        for (NodeConfig n : wanted.values()) {
            if (!peers.containsKey(n.name())) {
                joining.add(n);
            }
        }
        int failed = joining.size();
        List<PeerState> installed = add(joining);
        failed -= installed.size();
        int added = 0;
        for (PeerState p : installed) {
            if (!changed.contains(p.node.name())) {
                added++;
            }
        }
        return added + " added, " + removed + " removed, " + changed.size() + " changed, " + unchanged + " unchanged"
                + (failed > 0 ? ", " + failed + " failed (see the log)" : "");
    }

    /** This node's address in the underlay family: every tunnel's outer source. */
    private static InetAddress localUnderlay(ClusterConfig config) {
        IpFamily family = config.overlay().underlayFamily();
        return config.thisNode().address(family).map(AddressBits::inet).orElse(null);
    }

    /** Only addresses and pod CIDRs decide how a peer is reached; its uplink name/MTU are its own business. */
    private static boolean sameReach(NodeConfig a, NodeConfig b) {
        return a.addresses().equals(b.addresses()) && a.podCidrs().equals(b.podCidrs());
    }

    private static void refuseRestartChanges(ClusterConfig now, ClusterConfig next) {
        List<String> why = new ArrayList<>();
        if (!now.thisNodeName().equals(next.thisNodeName())) {
            why.add("this node's name (" + now.thisNodeName() + " → " + next.thisNodeName() + ")");
        } else {
            NodeConfig a = now.thisNode();
            NodeConfig b = next.thisNode();
            if (!a.podCidrs().equals(b.podCidrs())) {
                why.add("this node's pod CIDRs (" + a.podCidrs() + " → " + b.podCidrs() + ")");
            }
            if (!a.addresses().equals(b.addresses())) {
                why.add("this node's addresses (" + a.addresses() + " → " + b.addresses() + ")");
            }
            if (!a.uplink().equals(b.uplink())) {
                why.add("this node's uplink (" + a.uplink() + " → " + b.uplink() + ")");
            }
        }
        if (!now.ipFamilies().equals(next.ipFamilies())) {
            why.add("ipFamilies (" + now.ipFamilies() + " → " + next.ipFamilies() + ")");
        }
        if (!now.podCidrs().equals(next.podCidrs())) {
            why.add("the cluster podCIDRs (" + now.podCidrs() + " → " + next.podCidrs() + ")");
        }
        if (!now.overlay().equals(next.overlay())) {
            why.add("overlay settings (" + now.overlay() + " → " + next.overlay() + ")");
        }
        if (!why.isEmpty()) {
            throw new IllegalArgumentException("the new configuration changes " + String.join(", ", why)
                    + "; that needs a restart of podswitchd — keeping the running configuration");
        }
    }

    /**
     * Installs the peers of {@code nodes}: next hops resolved against one snapshot of the kernel's neighbours,
     * every new tunnel published in one step (a table rebuild per peer would make a 5,000-node sync quadratic),
     * then each peer's adjacency and routes — routes last, so no packet selects a peer before its tunnel exists.
     * A node that cannot be installed is logged and left out. Returns the peers installed.
     */
    private List<PeerState> add(List<NodeConfig> nodes) {
        List<PeerState> prepared = new ArrayList<>();
        for (NodeConfig node : nodes) {
            try {
                prepared.add(prepare(node));
            } catch (RuntimeException e) {
                DaemonLog.warn("peer " + node.name() + " not installed", e);
            }
        }
        if (!uplink.kernelRoutesDirect() && !prepared.isEmpty()) {
            Map<InetAddress, Long> macs = nextHops.resolved(); // once, after every next hop is tracked
            List<TunnelPeer> tunnels = new ArrayList<>();
            for (PeerState peer : prepared) {
                Long mac = peer.nextHop == null ? null : macs.get(peer.nextHop);
                peer.mac = mac == null ? 0 : mac;
                if (config.overlay().mode().encapsulates() && peer.mac != 0) {
                    tunnels.add(tunnelPeer(peer));
                }
            }
            engine.peers().putAll(tunnels);
        }
        for (PeerState peer : prepared) {
            if (!uplink.kernelRoutesDirect()) {
                route(peer);
            }
            peers.put(peer.node.name(), peer);
        }
        return prepared;
    }

    /** A peer's id, next hop and MAC (or, with kernel routes, its kernel routes). */
    private PeerState prepare(NodeConfig node) {
        OverlayConfig overlay = config.overlay();
        IpAddress underlayAddress = node.address(overlay.underlayFamily()).orElseThrow(() -> new IllegalArgumentException(
                "node " + node.name() + " has no " + overlay.underlayFamily() + " address for the underlay"));
        PeerIds.Assignment assignment = ids.idFor(node.name());
        int id = assignment.id();
        if (assignment.reused()) {
            engine.resetPeerCounters(id); // the id's previous node left long ago; its counts are not this node's
        }
        PeerState peer = new PeerState(node, id, AddressBits.inet(underlayAddress), new ArrayList<>());
        if (uplink.kernelRoutesDirect()) {
            for (Cidr cidr : node.podCidrs()) {
                IpAddress via = node.address(cidr.family()).orElse(underlayAddress);
                kernelRoutes.install(cidr, via);
            }
            return peer;
        }
        findNextHop(peer);
        return peer;
    }

    /** The peer's adjacency (ENCAP to its tunnel, or REWRITE/DROP in direct mode) and its switch routes. */
    private void route(PeerState peer) {
        OverlayConfig overlay = config.overlay();
        if (overlay.mode().encapsulates()) {
            peer.adjacency = engine.adjacencies().addEncap(uplink.portId(), peer.peerId, uplinkMtu - overlay.overheadBytes());
        } else {
            peer.adjacency = directAdjacency(peer.mac);
        }
        for (Cidr cidr : peer.node.podCidrs()) {
            peer.routes.add(SwitchPrefix.of(cidr));
        }
        for (IpAddress address : peer.node.addresses()) {
            peer.routes.add(SwitchPrefix.host(address));
        }
        for (SwitchPrefix p : peer.routes) {
            p.install(engine, peer.adjacency);
        }
    }

    private int directAdjacency(long mac) {
        AdjacencyTable adj = engine.adjacencies();
        return mac != 0 ? adj.addRewrite(uplink.portId(), mac, uplinkMtu) : adj.addDrop();
    }

    /** Finds the next hop and its MAC (0 when unresolved); never throws for an unreachable peer. */
    private void resolve(PeerState peer) {
        findNextHop(peer);
        Map<InetAddress, Long> macs = neighbourSnapshot != null ? neighbourSnapshot : nextHops.resolved();
        Long mac = peer.nextHop == null ? null : macs.get(peer.nextHop);
        peer.mac = mac == null ? 0 : mac;
    }

    /** The kernel's route to the peer: its next hop, tracked (the kernel keeps it resolved), or the problem. */
    private void findNextHop(PeerState peer) {
        InetAddress hop;
        try {
            hop = nextHops.nextHop(peer.underlay);
            peer.problem = null;
        } catch (RuntimeException e) {
            hop = null;
            peer.problem = e.getMessage();
        }
        if (hop != null && !hop.equals(peer.nextHop)) {
            nextHops.track(hop);
        }
        if (peer.nextHop != null && !peer.nextHop.equals(hop)) {
            nextHops.untrack(peer.nextHop);
        }
        peer.nextHop = hop;
    }

    private TunnelPeer tunnelPeer(PeerState peer) {
        OverlayConfig overlay = config.overlay();
        TunnelMode mode = overlay.mode() == OverlayMode.GENEVE ? TunnelMode.GENEVE : TunnelMode.VXLAN;
        String name = PEER_NAME.matcher(peer.node.name()).matches() ? peer.node.name() : "peer-" + peer.peerId;
        InetAddress local = localUnderlay;
        if (overlay.underlayFamily() == IpFamily.IPV4) {
            return TunnelPeer.ip4(peer.peerId, name, mode, overlay.vni(), overlay.udpPort(), uplink.mac(), peer.mac,
                    AddressBits.ip4(local), AddressBits.ip4(peer.underlay));
        }
        return TunnelPeer.ip6(peer.peerId, name, mode, overlay.vni(), overlay.udpPort(), uplink.mac(), peer.mac,
                new long[] {AddressBits.ip6High(local), AddressBits.ip6Low(local)},
                new long[] {AddressBits.ip6High(peer.underlay), AddressBits.ip6Low(peer.underlay)});
    }

    /**
     * Removal order: routes deleted (no new packet selects the peers), one grace period for all of them (no
     * worker is still inside a burst that did), tunnel peers unpublished, adjacencies released.
     */
    private void remove(List<PeerState> leaving) {
        if (leaving.isEmpty()) {
            return;
        }
        for (PeerState peer : leaving) {
            peers.remove(peer.node.name());
            ids.release(peer.node.name());
        }
        if (uplink.kernelRoutesDirect()) {
            for (PeerState peer : leaving) {
                IpAddress fallback = peer.node.address(config.overlay().underlayFamily()).orElseThrow();
                for (Cidr cidr : peer.node.podCidrs()) {
                    try {
                        kernelRoutes.delete(cidr, peer.node.address(cidr.family()).orElse(fallback));
                    } catch (RuntimeException e) {
                        DaemonLog.warn("kernel route to " + cidr + " not deleted", e);
                    }
                }
            }
            return;
        }
        for (PeerState peer : leaving) {
            for (SwitchPrefix p : peer.routes) {
                p.delete(engine);
            }
        }
        engine.quiesce();
        List<Integer> unpublish = new ArrayList<>(leaving.size());
        for (PeerState peer : leaving) {
            unpublish.add(peer.peerId);
        }
        engine.peers().removeAll(unpublish); // one index rebuild: a relist may take thousands of nodes away
        for (PeerState peer : leaving) {
            engine.adjacencies().release(peer.adjacency);
            if (peer.nextHop != null) {
                nextHops.untrack(peer.nextHop);
            }
        }
    }

    /**
     * Re-reads the kernel's route and neighbour for every peer and repairs what changed: a new MAC
     * rebuilds the tunnel peer (its template holds the MAC) or replaces the direct REWRITE adjacency.
     *
     * @return how many peers changed
     */
    public int refresh() {
        if (uplink.kernelRoutesDirect()) {
            return 0;
        }
        int changes = 0;
        boolean encap = config.overlay().mode().encapsulates();
        neighbourSnapshot = nextHops.resolved();
        try {
            changes = refreshAll(encap);
        } finally {
            neighbourSnapshot = null;
        }
        return changes;
    }

    private int refreshAll(boolean encap) {
        int changes = 0;
        List<TunnelPeer> publish = new ArrayList<>();
        List<Integer> unpublish = new ArrayList<>();
        List<Integer> replaced = new ArrayList<>();
        for (PeerState peer : peers.values()) {
            long before = peer.mac;
            resolve(peer);
            if (peer.mac == before) {
                continue;
            }
            changes++;
            DaemonLog.info("peer " + peer.node.name() + ": next hop " + describe(peer.nextHop) + " "
                    + (peer.mac == 0 ? "unresolved" : "at " + AddressBits.formatMac(peer.mac)));
            if (encap) {
                if (peer.mac == 0) {
                    unpublish.add(peer.peerId);
                } else {
                    publish.add(tunnelPeer(peer));
                }
            } else {
                replaced.add(peer.adjacency);
                peer.adjacency = directAdjacency(peer.mac);
                for (SwitchPrefix p : peer.routes) {
                    p.install(engine, peer.adjacency);
                }
            }
        }
        if (!replaced.isEmpty()) {
            engine.quiesce(); // one grace period for every re-pointed route
            replaced.forEach(engine.adjacencies()::release);
        }
        // One index rebuild each, whatever the number of peers whose next hop changed (a gateway's MAC: all of them).
        if (!unpublish.isEmpty()) {
            engine.peers().removeAll(unpublish);
        }
        if (!publish.isEmpty()) {
            engine.peers().putAll(publish);
        }
        return changes;
    }

    /**
     * The uplink's MTU changed (an operator lowered the NIC's MTU, or the underlay path shrank): every
     * peer gets a new adjacency with the new MTU, so packets above it get "fragmentation needed" /
     * "packet too big" with the new tunnel MTU and the pods' path MTU discovery follows. Routes are
     * re-pointed first, the old adjacencies released after a grace period.
     */
    public void uplinkMtuChanged(int mtu) {
        if (mtu == uplinkMtu || uplink.kernelRoutesDirect()) {
            return;
        }
        DaemonLog.info("uplink " + uplink.interfaceName() + " MTU " + uplinkMtu + " → " + mtu + ": peers' MTU follows");
        uplinkMtu = mtu;
        boolean encap = config.overlay().mode().encapsulates();
        List<Integer> old = new ArrayList<>();
        for (PeerState peer : peers.values()) {
            old.add(peer.adjacency);
            peer.adjacency = encap
                    ? engine.adjacencies().addEncap(uplink.portId(), peer.peerId, mtu - config.overlay().overheadBytes())
                    : directAdjacency(peer.mac);
            for (SwitchPrefix p : peer.routes) {
                p.install(engine, peer.adjacency);
            }
        }
        engine.quiesce();
        for (int a : old) {
            engine.adjacencies().release(a);
        }
    }

    private static String describe(InetAddress a) {
        return a == null ? "(none)" : IpAddresses.format(a);
    }

    /** Every remote node with its next hop and counters, in configuration order. */
    public List<PeerView> views() {
        List<PeerView> out = new ArrayList<>();
        String mode = config.overlay().mode().configName();
        for (PeerState p : peers.values()) {
            long[] c = engine.peerCounters(p.peerId);
            boolean kernel = uplink.kernelRoutesDirect();
            out.add(new PeerView(p.node.name(),
                    p.node.addresses().stream().map(Object::toString).toList(),
                    p.node.podCidrs().stream().map(Object::toString).toList(),
                    mode, IpAddresses.format(p.underlay),
                    kernel ? "kernel" : describe(p.nextHop),
                    p.mac == 0 ? "" : AddressBits.formatMac(p.mac),
                    kernel ? "kernel-routed" : p.state(), c[0], c[1], c[2], c[3]));
        }
        return out;
    }

    /** Takes every peer out (routes, tunnel peers, adjacencies, managed neighbours, kernel routes). */
    @Override
    public void close() {
        try {
            remove(List.copyOf(peers.values()));
        } catch (RuntimeException e) {
            DaemonLog.warn("peers not removed cleanly", e);
        }
        nextHops.close();
        if (kernelRoutes != null) {
            kernelRoutes.close();
        }
    }
}
