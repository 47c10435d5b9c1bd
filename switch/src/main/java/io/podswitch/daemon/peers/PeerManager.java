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
        int added = 0;
        int failed = 0;
        for (NodeConfig n : wanted.values()) {
            if (!peers.containsKey(n.name())) {
                try {
                    add(n);
                } catch (RuntimeException e) {
                    DaemonLog.warn("peer " + n.name() + " not installed", e);
                    failed++;
                    continue;
                }
                if (!changed.contains(n.name())) {
                    added++;
                }
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

    private void add(NodeConfig node) {
        OverlayConfig overlay = config.overlay();
        IpAddress underlayAddress = node.address(overlay.underlayFamily()).orElseThrow(() -> new IllegalArgumentException(
                "node " + node.name() + " has no " + overlay.underlayFamily() + " address for the underlay"));
        PeerIds.Assignment assignment = ids.idFor(node.name());
        int id = assignment.id();
        if (assignment.reused()) {
            engine.resetPeerCounters(id); // the id's previous node left long ago; its counts are not this node's
        }
        List<SwitchPrefix> routes = new ArrayList<>();
        PeerState peer = new PeerState(node, id, AddressBits.inet(underlayAddress), routes);
        if (uplink.kernelRoutesDirect()) {
            for (Cidr cidr : node.podCidrs()) {
                IpAddress via = node.address(cidr.family()).orElse(underlayAddress);
                kernelRoutes.install(cidr, via);
            }
            peers.put(node.name(), peer);
            return;
        }
        resolve(peer);
        if (overlay.mode().encapsulates()) {
            publishTunnel(peer);
            int mtu = uplinkMtu - overlay.overheadBytes();
            peer.adjacency = engine.adjacencies().addEncap(uplink.portId(), id, mtu);
        } else {
            peer.adjacency = directAdjacency(peer.mac);
        }
        for (Cidr cidr : node.podCidrs()) {
            routes.add(SwitchPrefix.of(cidr));
        }
        for (IpAddress address : node.addresses()) {
            routes.add(SwitchPrefix.host(address));
        }
        for (SwitchPrefix p : routes) {
            p.install(engine, peer.adjacency);
        }
        peers.put(node.name(), peer);
    }

    private int directAdjacency(long mac) {
        AdjacencyTable adj = engine.adjacencies();
        return mac != 0 ? adj.addRewrite(uplink.portId(), mac, uplinkMtu) : adj.addDrop();
    }

    /** Finds the next hop and its MAC (0 when unresolved); never throws for an unreachable peer. */
    private void resolve(PeerState peer) {
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
        Map<InetAddress, Long> macs = neighbourSnapshot != null ? neighbourSnapshot : nextHops.resolved();
        Long mac = hop == null ? null : macs.get(hop);
        peer.mac = mac == null ? 0 : mac;
    }

    /** Publishes (or replaces) the peer's tunnel with the current MAC, or takes it out while unresolved. */
    private void publishTunnel(PeerState peer) {
        if (peer.mac == 0) {
            engine.peers().remove(peer.peerId);
            return;
        }
        engine.peers().put(tunnelPeer(peer));
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
        for (PeerState peer : leaving) {
            engine.peers().remove(peer.peerId);
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
                publishTunnel(peer);
            } else {
                int old = peer.adjacency;
                peer.adjacency = directAdjacency(peer.mac);
                for (SwitchPrefix p : peer.routes) {
                    p.install(engine, peer.adjacency);
                }
                engine.quiesce();
                engine.adjacencies().release(old);
            }
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
