package io.podswitch.daemon.host;

import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.ipam.IpRange;
import io.podswitch.fib.AdjacencyTable;
import io.podswitch.graph.Interface;
import io.podswitch.nativeio.Errno;
import io.podswitch.nativeio.NativeException;
import io.podswitch.nativeio.Netlink;
import io.podswitch.nativeio.NetlinkLayouts;
import io.podswitch.nativeio.Route;
import io.podswitch.port.tap.TapPort;
import io.podswitch.port.tap.TapPortConfig;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's own way into the switch: a TAP ({@code podswitch0}) in the root namespace.
 *
 * <pre>
 *   kernel (root netns)                        switch
 *   ───────────────────                        ──────
 *   podswitch0  10.244.1.2/32 (host address)   host port: proxy ARP/ND for every target
 *   route 10.244.1.0/24 dev podswitch0   ───►  10.244.1.5/32 → pod port (REWRITE pod MAC)
 *                                        ◄───  0.0.0.0/0, 10.244.1.2/32 → host port (REWRITE kernel MAC)
 *                                              10.244.1.0/24 → DROP (no such pod: no loop via the kernel)
 *                                              10.244.1.1/32 → LOCAL (the gateway, answers ping)
 * </pre>
 *
 * The kernel treats the pod CIDR as a connected network on {@code podswitch0}: it ARPs/NDs for a pod
 * address, the switch answers with its own MAC (proxy neighbours) and forwards to the pod. The host
 * address (one IPAM address per family, on {@code podswitch0}) gives the node a source address inside
 * the pod CIDR, so node→pod traffic (kubelet probes) works even on a node without other addresses of
 * that family, and replies route straight back through the host port.
 */
public final class HostPort implements AutoCloseable {
    private final SwitchEngine engine;
    private final TapPort port;
    private final int worker;
    private final long kernelMac;
    private final List<Integer> adjacencies;
    private final List<Runnable> routeRemovals;
    /** The host addresses (/32, /128) on the kernel side, by range: re-applied after a link down/up. */
    private final List<IpRange> ranges;
    private final List<InetAddress> hostAddresses;
    /** Every range routed to the TAP in the kernel (pod CIDRs, cluster and service CIDRs). */
    private final List<IpRange> kernelRoutes = new ArrayList<>();
    /** Services' external IPs routed here ({@code attach: udp}) → their switch route's removal. */
    private final Map<InetAddress, Runnable> serviceAddresses = new HashMap<>();

    private HostPort(SwitchEngine engine, TapPort port, int worker, long kernelMac, List<Integer> adjacencies,
                     List<Runnable> routeRemovals, List<IpRange> ranges, List<InetAddress> hostAddresses) {
        this.ranges = List.copyOf(ranges);
        this.hostAddresses = List.copyOf(hostAddresses);
        this.kernelRoutes.addAll(ranges);
        this.engine = engine;
        this.port = port;
        this.worker = worker;
        this.kernelMac = kernelMac;
        this.adjacencies = adjacencies;
        this.routeRemovals = routeRemovals;
    }

    /**
     * Creates the TAP (not persistent: it disappears with the daemon, and with it the kernel routes),
     * configures the kernel side through rtnetlink and installs the switch side.
     *
     * @param ranges        the node's pod CIDRs, primary family first
     * @param hostAddresses one address per range (same order) for the kernel side of the TAP
     */
    public static HostPort open(SwitchEngine engine, String name, int mtu, long switchMac, List<IpRange> ranges,
                                List<InetAddress> hostAddresses) {
        int portId = engine.allocatePortId();
        TapPort tap;
        try {
            tap = TapPort.open(portId, new TapPortConfig(name, mtu, 0, false, 1, true));
        } catch (RuntimeException e) {
            engine.releasePortId(portId);
            throw e;
        }
        // Each step pushes its undo: a failure leaves no route, adjacency, polled queue or TAP behind.
        Deque<Runnable> undo = new ArrayDeque<>();
        undo.push(() -> engine.releasePortId(portId));
        undo.push(tap::close);
        try {
            long kernelMac;
            try (Netlink netlink = Netlink.open()) {
                kernelMac = netlink.link(name).mac();
                for (int i = 0; i < ranges.size(); i++) {
                    IpRange range = ranges.get(i);
                    InetAddress host = hostAddresses.get(i);
                    netlink.addAddress(name, host, range.isIpv4() ? 32 : 128);
                    netlink.replaceRoute(new Route(range.networkAddress(), range.prefixLength(), null, name, false));
                }
            }
            Interface.Builder iface = Interface.builder(tap, switchMac).mtu(tap.mtu()).proxyNeighbors(true)
                    .hostAddresses(ip4Of(hostAddresses), ip6Of(hostAddresses, true), ip6Of(hostAddresses, false));
            for (IpRange range : ranges) {
                if (range.isIpv4()) {
                    iface.ip4(AddressBits.ip4(range.gateway()));
                } else {
                    iface.ip6(AddressBits.ip6High(range.gateway()), AddressBits.ip6Low(range.gateway()));
                }
            }
            AdjacencyTable adj = engine.adjacencies();
            List<Integer> adjacencies = List.of(adj.addRewrite(portId, kernelMac, tap.mtu()), adj.addLocal(), adj.addDrop());
            int toKernel = adjacencies.get(0);
            int local = adjacencies.get(1);
            int drop = adjacencies.get(2);
            undo.push(() -> {
                engine.quiesce();
                adjacencies.forEach(adj::release);
            });
            int worker = engine.attachPort(iface.build());
            undo.push(() -> engine.detachPort(tap, worker));
            List<Runnable> removals = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                IpRange range = ranges.get(i);
                InetAddress host = hostAddresses.get(i);
                if (range.isIpv4()) {
                    int net = AddressBits.ip4(range.networkAddress());
                    int gw = AddressBits.ip4(range.gateway());
                    int hostIp = AddressBits.ip4(host);
                    route(undo, removals, () -> engine.fib4().add(0, 0, toKernel), () -> engine.fib4().delete(0, 0));
                    route(undo, removals, () -> engine.fib4().add(net, range.prefixLength(), drop),
                            () -> engine.fib4().delete(net, range.prefixLength()));
                    route(undo, removals, () -> engine.fib4().add(gw, 32, local), () -> engine.fib4().delete(gw, 32));
                    route(undo, removals, () -> engine.fib4().add(hostIp, 32, toKernel),
                            () -> engine.fib4().delete(hostIp, 32));
                } else {
                    long nh = AddressBits.ip6High(range.networkAddress());
                    long nl = AddressBits.ip6Low(range.networkAddress());
                    long gh = AddressBits.ip6High(range.gateway());
                    long gl = AddressBits.ip6Low(range.gateway());
                    long hh = AddressBits.ip6High(host);
                    long hl = AddressBits.ip6Low(host);
                    route(undo, removals, () -> engine.fib6().add(0, 0, 0, toKernel), () -> engine.fib6().delete(0, 0, 0));
                    route(undo, removals, () -> engine.fib6().add(nh, nl, range.prefixLength(), drop),
                            () -> engine.fib6().delete(nh, nl, range.prefixLength()));
                    route(undo, removals, () -> engine.fib6().add(gh, gl, 128, local),
                            () -> engine.fib6().delete(gh, gl, 128));
                    route(undo, removals, () -> engine.fib6().add(hh, hl, 128, toKernel),
                            () -> engine.fib6().delete(hh, hl, 128));
                }
            }
            return new HostPort(engine, tap, worker, kernelMac, adjacencies, removals, ranges, hostAddresses);
        } catch (RuntimeException e) {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static int[] ip4Of(List<InetAddress> addresses) {
        return addresses.stream().filter(a -> a.getAddress().length == 4).mapToInt(AddressBits::ip4).toArray();
    }

    private static long[] ip6Of(List<InetAddress> addresses, boolean high) {
        return addresses.stream().filter(a -> a.getAddress().length == 16)
                .mapToLong(a -> high ? AddressBits.ip6High(a) : AddressBits.ip6Low(a)).toArray();
    }

    private static void route(Deque<Runnable> undo, List<Runnable> removals, Runnable add, Runnable delete) {
        add.run();
        undo.push(delete);
        removals.add(delete);
    }

    /**
     * Routes the cluster's pod CIDRs (every node's) to this TAP in the kernel, so node → remote pod
     * goes kernel → podswitch0 → switch → uplink; the node's own, longer pod CIDR routes still win for
     * local pods. With {@code dropUnownedInSwitch}, the switch drops cluster addresses that no more
     * specific route claims (a node not in the config) instead of handing them back to the kernel, which
     * would return them here. The routes go with the TAP.
     */
    public void routeClusterCidrs(List<IpRange> clusterRanges, boolean dropUnownedInSwitch) {
        routeToTap(clusterRanges, dropUnownedInSwitch);
    }

    /**
     * Routes {@code ranges} to this TAP in the kernel and, with {@code dropInSwitch}, adds DROP routes for
     * them in the switch (so nothing the switch cannot place goes back to the kernel, which would return
     * it here until its TTL ran out). The switch routes are removed when the TAP closes.
     */
    private void routeToTap(List<IpRange> ranges, boolean dropInSwitch) {
        kernelRoutes.addAll(ranges);
        try (Netlink netlink = Netlink.open()) {
            for (IpRange range : ranges) {
                netlink.replaceRoute(new Route(range.networkAddress(), range.prefixLength(), null, port.name(), false));
            }
        }
        if (!dropInSwitch) {
            return;
        }
        int drop = adjacencies.get(2);
        for (IpRange range : ranges) {
            if (range.isIpv4()) {
                int net = AddressBits.ip4(range.networkAddress());
                engine.fib4().add(net, range.prefixLength(), drop);
                routeRemovals.add(() -> engine.fib4().delete(net, range.prefixLength()));
            } else {
                long nh = AddressBits.ip6High(range.networkAddress());
                long nl = AddressBits.ip6Low(range.networkAddress());
                engine.fib6().add(nh, nl, range.prefixLength(), drop);
                routeRemovals.add(() -> engine.fib6().delete(nh, nl, range.prefixLength()));
            }
        }
    }

    /**
     * Node → ClusterIP: routes the service CIDRs to this TAP in the kernel, so traffic from the node to
     * a VIP (kubelet probes, hostNetwork pods) enters the switch, whose service stage DNATs it to a
     * backend on any node; the backend's reply comes back to this switch, is un-NATed and routed to the
     * host address on the TAP. The source the kernel picks is the TAP's host address (the only address
     * on the device), so replies route back here. In the switch the CIDRs become DROP routes: a VIP
     * without a service key (or an unused address of the range) is dropped instead of following the
     * default route back to the kernel, which would send it here again until its TTL ran out. Service
     * traffic never reaches that route: the service stage runs before the lookup. The routes go with
     * the TAP.
     */
    public void routeServiceCidrs(List<IpRange> serviceRanges) {
        routeToTap(serviceRanges, true);
    }

    /**
     * A service's external (or load-balancer) IP: routes the address to this TAP in the node's kernel, so
     * what the kernel has for it — received from outside with {@code attach: udp} (the kernel owns the NIC),
     * or the node's own connections — is forwarded into the switch, and so the replies the switch sends
     * the kernel from that address pass reverse-path filtering (the source's route is this TAP). Traffic
     * arriving here from a source that is not the node's own is from outside for the service stage
     * ({@link io.podswitch.graph.Interface#fromOutside4}). In the switch the address becomes a DROP route:
     * its ports that no service serves are dropped instead of going back to the kernel, which would return
     * them here. Control thread; idempotent; undone by {@link #unrouteServiceAddress}, re-added by
     * {@link #restoreKernelSide}, gone with the TAP.
     */
    public void routeServiceAddress(InetAddress address) {
        if (serviceAddresses.containsKey(address)) {
            return;
        }
        int bits = address.getAddress().length * 8;
        try (Netlink netlink = Netlink.open()) {
            netlink.replaceRoute(new Route(address, bits, null, port.name(), false));
        }
        int drop = adjacencies.get(2);
        Runnable removal;
        if (bits == 32) {
            int a = AddressBits.ip4(address);
            engine.fib4().add(a, 32, drop);
            removal = () -> engine.fib4().delete(a, 32);
        } else {
            long h = AddressBits.ip6High(address);
            long l = AddressBits.ip6Low(address);
            engine.fib6().add(h, l, 128, drop);
            removal = () -> engine.fib6().delete(h, l, 128);
        }
        serviceAddresses.put(address, removal);
    }

    /** Undoes {@link #routeServiceAddress} (no-op for an address not routed). */
    public void unrouteServiceAddress(InetAddress address) {
        Runnable removal = serviceAddresses.remove(address);
        if (removal == null) {
            return;
        }
        try (Netlink netlink = Netlink.open()) {
            netlink.deleteRoute(new Route(address, address.getAddress().length * 8, null, port.name(), false));
        } finally {
            removal.run();
        }
    }

    /**
     * Lets the node's kernel forward node-port replies out of the NIC. After un-NAT, the reply to an
     * external client has the node's own address as its source and follows the switch's default route
     * to this TAP; the kernel drops a packet with a local source arriving on a non-loopback device
     * ("martian source") unless the device has {@code accept_local}. {@code rp_filter} 2 (loose) on the
     * TAP: the effective value is the larger of {@code all} and the device's, so this also keeps a host
     * with strict filtering ({@code all} = 1) from dropping node-port traffic, whose client is reached
     * through the NIC, not this TAP. Both through rtnetlink (IFLA_INET_CONF); they go with the TAP.
     */
    public void acceptNodePortReplies() {
        try (Netlink netlink = Netlink.open()) {
            netlink.setIpv4DeviceConf(port.name(), NetlinkLayouts.IPV4_DEVCONF_ACCEPT_LOCAL, 1);
            netlink.setIpv4DeviceConf(port.name(), NetlinkLayouts.IPV4_DEVCONF_RP_FILTER, 2);
        }
    }

    public TapPort port() {
        return port;
    }

    /**
     * Puts the kernel side back after someone set the TAP down and up again: the kernel dropped every
     * route through it (and, unless {@code keep_addr_on_down}, its IPv6 address), so the node could no
     * longer reach its pods. Re-adds the host addresses (an existing one is kept) and replaces the routes;
     * idempotent. Control thread.
     */
    public void restoreKernelSide(Netlink netlink) {
        for (int i = 0; i < ranges.size(); i++) {
            try {
                netlink.addAddress(port.name(), hostAddresses.get(i), ranges.get(i).isIpv4() ? 32 : 128);
            } catch (NativeException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
            }
        }
        for (IpRange range : kernelRoutes) {
            netlink.replaceRoute(new Route(range.networkAddress(), range.prefixLength(), null, port.name(), false));
        }
        for (InetAddress address : serviceAddresses.keySet()) {
            netlink.replaceRoute(new Route(address, address.getAddress().length * 8, null, port.name(), false));
        }
    }

    /** The MAC of the kernel's side of the TAP: where the switch sends traffic for the node. */
    public long kernelMac() {
        return kernelMac;
    }

    /** Removes the switch side (routes, port) and closes the TAP, which takes the kernel routes with it. */
    @Override
    public void close() {
        for (Runnable removal : routeRemovals) {
            removal.run();
        }
        for (Runnable removal : serviceAddresses.values()) {
            removal.run();
        }
        serviceAddresses.clear();
        engine.detachPort(port, worker);
        for (int a : adjacencies) {
            engine.adjacencies().release(a);
        }
        port.close();
        engine.releasePortId(port.id());
    }
}
