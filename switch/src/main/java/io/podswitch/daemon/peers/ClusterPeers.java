package io.podswitch.daemon.peers;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.config.model.UplinkAttach;
import io.podswitch.daemon.DaemonLog;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.daemon.engine.SwitchEngine;
import io.podswitch.daemon.host.HostPort;
import io.podswitch.daemon.ipam.IpRange;
import io.podswitch.daemon.uplink.AfXdpUplink;
import io.podswitch.daemon.uplink.AutoAttach;
import io.podswitch.daemon.uplink.TapUplink;
import io.podswitch.daemon.uplink.UdpUplink;
import io.podswitch.daemon.uplink.UplinkAttachment;
import io.podswitch.daemon.uplink.UplinkChoice;
import io.podswitch.daemon.uplink.UplinkFilter;
import io.podswitch.daemon.uplink.UplinkPort;
import io.podswitch.nativeio.Netlink;
import java.util.ArrayList;
import java.util.List;

/**
 * This node's link to the other nodes, as the daemon starts and stops it: the uplink attachment (per
 * {@code nodes[].uplink.attach} and the overlay mode), its switch port, the next-hop source and the
 * {@link PeerManager}; plus the kernel routes that send node → remote pod traffic through the host TAP.
 * Control thread only.
 *
 * <table>
 *   <tr><th>attach</th><th>mode</th><th>what runs</th></tr>
 *   <tr><td>af_xdp</td><td>vxlan/geneve</td><td>AF_XDP on the NIC (tunnel UDP port), tunnel peers, MACs from the kernel's neighbours</td></tr>
 *   <tr><td>af_xdp</td><td>direct</td><td>AF_XDP on the NIC (this node's pod CIDRs), REWRITE to the peers' MACs</td></tr>
 *   <tr><td>udp</td><td>vxlan/geneve</td><td>a {@link UdpUplink}: kernel UDP sockets on the node's addresses</td></tr>
 *   <tr><td>udp</td><td>direct</td><td>no switch port: kernel routes to the peers; the switch sends remote pod traffic to the host TAP</td></tr>
 *   <tr><td>tap</td><td>vxlan/geneve</td><td>a {@link TapUplink}: a TAP with UDP tunnel offloads, tcx programs on it and the NIC</td></tr>
 *   <tr><td>tap</td><td>direct</td><td>as udp</td></tr>
 *   <tr><td>auto</td><td>vxlan/geneve</td><td>as tap when the kernel takes the tunnel TAP ({@link AutoAttach}), else as af_xdp</td></tr>
 *   <tr><td>auto</td><td>direct</td><td>as af_xdp</td></tr>
 * </table>
 */
public final class ClusterPeers implements AutoCloseable {
    private final UplinkPort uplinkPort;
    private final PeerManager manager;
    private final UplinkChoice choice;
    private final String interfaceName;

    private ClusterPeers(UplinkPort uplinkPort, PeerManager manager, UplinkChoice choice, String interfaceName) {
        this.uplinkPort = uplinkPort;
        this.manager = manager;
        this.choice = choice;
        this.interfaceName = interfaceName;
    }

    /** The NIC's MTU as the kernel reports it (the pod MTU is derived from it). */
    public static int uplinkMtu(ClusterConfig config) {
        try (Netlink netlink = Netlink.open()) {
            return netlink.link(config.thisNode().uplink().interfaceName()).mtu();
        }
    }

    public static ClusterPeers open(SwitchEngine engine, ClusterConfig config, HostPort host) {
        NodeConfig self = config.thisNode();
        String nic = self.uplink().interfaceName();
        boolean direct = !config.overlay().mode().encapsulates();
        UplinkAttach configured = self.uplink().attach();
        UplinkChoice choice = AutoAttach.choose(configured, !direct, AutoAttach::tunnelTapSupported);
        UplinkAttach attach = choice.attach();
        if (configured == UplinkAttach.AUTO) {
            DaemonLog.info("uplink.attach auto: " + choice.describe());
        }
        // Without a tunnel there is nothing for the tap attachment to carry whole: it routes like udp.
        boolean udp = attach == UplinkAttach.UDP || attach == UplinkAttach.TAP;
        boolean kernelRoutes = udp && direct;
        int port = config.overlay().udpPort();
        if (!direct && port != 4789 && port != 6081) {
            // ethernet-input steers only the IANA tunnel ports to overlay-decap (docs/overlay.md).
            throw new IllegalStateException("overlay.udpPort " + port + ": the switch decapsulates on 4789 (VXLAN) "
                    + "and 6081 (Geneve) only; use one of them");
        }
        host.routeClusterCidrs(clusterRanges(config), !kernelRoutes);
        if (UplinkFilter.servesNodePorts(attach, direct)) {
            host.acceptNodePortReplies(); // the uplink steers node ports to the switch; replies leave by the host TAP
        }
        UplinkPort uplink = null;
        UplinkSide side;
        NextHops nextHops;
        if (kernelRoutes) {
            side = new UplinkSide(-1, nic, UplinkAttachment.KERNEL_L2_MAC, uplinkMtu(config), true);
            nextHops = new KernelL2NextHops();
        } else {
            int portId = engine.allocatePortId();
            UplinkAttachment attachment;
            try {
                if (attach == UplinkAttach.TAP) {
                    attachment = TapUplink.open(portId, config);
                } else if (udp) {
                    attachment = UdpUplink.open(portId, config);
                } else {
                    attachment = AfXdpUplink.open(engine, portId, nic, UplinkFilter.of(config));
                }
            } catch (RuntimeException e) {
                engine.releasePortId(portId);
                throw e;
            }
            uplink = UplinkPort.attach(engine, attachment, self.addresses());
            side = new UplinkSide(portId, nic, attachment.mac(), attachment.mtu(), false);
            try {
                nextHops = attachment.needsNextHopMacs() ? new KernelNextHops(nic) : new KernelL2NextHops();
            } catch (RuntimeException e) {
                uplink.close();
                throw e;
            }
        }
        PeerManager manager;
        try {
            manager = new PeerManager(engine, side, nextHops, kernelRoutes ? new KernelPodRoutes(nic) : null, config);
        } catch (RuntimeException e) {
            nextHops.close();
            if (uplink != null) {
                uplink.close();
            }
            throw e;
        }
        DaemonLog.info("uplink " + nic + ": " + choice.describe() + ", MTU " + side.mtu() + ", "
                + config.overlay().mode().configName() + ", " + manager.views().size() + " peer(s)");
        return new ClusterPeers(uplink, manager, choice, nic);
    }

    private static List<IpRange> clusterRanges(ClusterConfig config) {
        List<IpRange> out = new ArrayList<>();
        for (Cidr cidr : config.podCidrs()) {
            out.add(new IpRange(AddressBits.inet(cidr.network()), cidr.prefixLength()));
        }
        return out;
    }

    /**
     * Once a second on the control thread: the NIC's MTU (never above what the uplink port was opened
     * with: its frames and checks are sized for that), then the peers' routes and neighbours.
     */
    public void refresh() {
        if (uplinkPort != null) {
            UplinkAttachment attachment = uplinkPort.attachment();
            int now;
            try (Netlink netlink = Netlink.open()) {
                now = netlink.link(attachment.interfaceName()).mtu();
            }
            manager.uplinkMtuChanged(Math.min(now, attachment.mtu()));
        }
        manager.refresh();
    }

    public PeerManager manager() {
        return manager;
    }

    /** How the uplink is attached: the configured value, {@code auto} resolved ({@link AutoAttach}). */
    public UplinkAttach attach() {
        return choice.attach();
    }

    /** What was configured, what runs and why. */
    public UplinkChoice choice() {
        return choice;
    }

    /** The uplink NIC's name. */
    public String interfaceName() {
        return interfaceName;
    }


    /** The uplink's switch port (null when the kernel routes: udp attach in direct mode). */
    public UplinkPort uplinkPort() {
        return uplinkPort;
    }

    /** Peers out first (their routes point at the uplink), then the uplink port. */
    @Override
    public void close() {
        try {
            manager.close();
        } finally {
            if (uplinkPort != null) {
                uplinkPort.close();
            }
        }
    }
}
