package io.podswitch.daemon.uplink;

import io.podswitch.config.cidr.IpFamily;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.NodeConfig;
import io.podswitch.daemon.engine.AddressBits;
import io.podswitch.nativeio.Netlink;
import io.podswitch.port.Port;
import io.podswitch.port.udp.UdpTunnelPort;
import io.podswitch.port.udp.UdpTunnelPortConfig;
import java.net.InetAddress;

/**
 * The uplink as kernel UDP sockets bound to the node's addresses and the overlay port ({@code attach: udp}),
 * for hosts without XDP: the kernel does routing and L2 on the underlay, the {@link UdpTunnelPort}
 * synthesises the outer Ethernet/IP/UDP headers of received datagrams (so overlay-decap checks them as
 * usual) and strips them on transmit. Every peer's outer MAC is {@link #KERNEL_L2_MAC}: nothing reads it.
 *
 * <p>The underlay MTU is the NIC's, capped at {@link UdpTunnelPortConfig#MAX_MTU} (received datagrams plus
 * synthesised headers must fit a 2 KiB frame).
 */
public final class UdpUplink implements UplinkAttachment {
    private final UdpTunnelPort port;
    private final String interfaceName;

    private UdpUplink(UdpTunnelPort port, String interfaceName) {
        this.port = port;
        this.interfaceName = interfaceName;
    }

    /** Binds the sockets in the daemon's network namespace; a {@code ClusterPeers.UplinkFactory}. */
    public static UdpUplink open(int portId, ClusterConfig config) {
        NodeConfig self = config.thisNode();
        String nic = self.uplink().interfaceName();
        int nicMtu;
        try (Netlink netlink = Netlink.open()) {
            nicMtu = netlink.link(nic).mtu();
        }
        int mtu = Math.min(nicMtu, UdpTunnelPortConfig.MAX_MTU);
        UdpTunnelPortConfig portConfig = UdpTunnelPortConfig.of("udp-" + nic, local(self, IpFamily.IPV4),
                local(self, IpFamily.IPV6), config.overlay().udpPort(), KERNEL_L2_MAC, mtu);
        return new UdpUplink(UdpTunnelPort.open(portId, portConfig), nic);
    }

    private static InetAddress local(NodeConfig node, IpFamily family) {
        return node.address(family).map(AddressBits::inet).orElse(null);
    }

    @Override
    public Port port() {
        return port;
    }

    @Override
    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public long mac() {
        return KERNEL_L2_MAC;
    }

    @Override
    public int mtu() {
        return port.mtu();
    }

    @Override
    public boolean needsNextHopMacs() {
        return false;
    }

    @Override
    public void close() {
        port.close();
    }
}
