package io.podswitch.daemon.uplink;

import io.podswitch.config.cidr.Cidr;
import io.podswitch.config.cidr.Ip4Address;
import io.podswitch.config.cidr.Ip6Address;
import io.podswitch.config.cidr.IpAddress;
import io.podswitch.config.model.ClusterConfig;
import io.podswitch.config.model.UplinkAttach;
import io.podswitch.nativeio.bpf.IpPrefix;
import io.podswitch.nativeio.bpf.XdpFilter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the uplink's XDP program (and the {@code tap} uplink's tc program, {@link #tapUplink}) steals from the kernel: in overlay mode UDP to the tunnel port addressed
 * to one of this node's addresses, in direct mode every packet to this node's pod CIDRs (IPv4 and IPv6);
 * in both modes TCP and UDP to this node's addresses in the NodePort range, so external clients reach
 * services' node ports, and TCP and UDP to the (address, port) pairs of services' external and
 * load-balancer IPs (the {@link io.podswitch.nativeio.bpf.ServiceAddressMaps}, filled at run time).
 * Everything else — ARP, ND, ssh, kubelet, the node's own traffic, tunnel traffic for other hosts — passes
 * to the kernel.
 *
 * <p>The whole range is redirected, not the configured node ports: services change without the XDP
 * program being replaced. A packet to a port in the range that no service serves finds no service key
 * in the switch and follows the switch's default route to the host TAP, so the node's kernel still
 * answers it (a listener on such a port, or a RST). The kernel's own outgoing connections do not use
 * the range as source ports (Linux's default {@code ip_local_port_range} starts at 32768), so their
 * replies keep going straight to the kernel.
 */
public final class UplinkFilter {
    /** The Kubernetes NodePort range; the config validator accepts node ports only inside it. */
    public static final int NODE_PORT_MIN = 30000;
    public static final int NODE_PORT_MAX = 32767;

    private UplinkFilter() {
    }

    public static XdpFilter of(ClusterConfig config) {
        List<IpPrefix> nodeAddresses = nodeAddresses(config);
        XdpFilter base;
        if (config.overlay().mode().encapsulates()) {
            base = XdpFilter.udpPortTo(config.overlay().udpPort(), nodeAddresses);
        } else {
            List<IpPrefix> prefixes = new ArrayList<>();
            for (Cidr cidr : config.thisNode().podCidrs()) {
                prefixes.add(prefix(cidr));
            }
            base = new XdpFilter(0, prefixes);
        }
        XdpFilter filter = nodeAddresses.isEmpty() ? base
                : base.withNodePorts(nodeAddresses, NODE_PORT_MIN, NODE_PORT_MAX);
        return filter.withServiceAddresses();
    }

    /**
     * The {@code tap} uplink's NIC program: the tunnel port and the node-port range, both to this node's
     * addresses, as {@link #of} in overlay mode but without the service address maps (the tc programs have
     * none: services' external and load-balancer IPs reach the switch through the kernel's routes to the host
     * TAP, as with {@code attach: udp}).
     */
    public static XdpFilter tapUplink(ClusterConfig config) {
        List<IpPrefix> nodeAddresses = nodeAddresses(config);
        return XdpFilter.udpPortTo(config.overlay().udpPort(), nodeAddresses)
                .withNodePorts(nodeAddresses, NODE_PORT_MIN, NODE_PORT_MAX);
    }

    /**
     * Does this (resolved) attachment steer TCP/UDP to the node's addresses in the NodePort range to the
     * switch? {@code af_xdp} (its XDP program) and {@code tap} with a tunnel (its NIC tc program); {@code udp},
     * and {@code tap} in direct mode, leave all traffic to the node's addresses to its kernel.
     */
    public static boolean servesNodePorts(UplinkAttach attach, boolean direct) {
        return attach == UplinkAttach.AF_XDP || attach == UplinkAttach.TAP && !direct;
    }

    private static List<IpPrefix> nodeAddresses(ClusterConfig config) {
        List<IpPrefix> out = new ArrayList<>();
        for (IpAddress address : config.thisNode().addresses()) {
            out.add(prefix(address));
        }
        return out;
    }

    static IpPrefix prefix(IpAddress address) {
        return prefix(new Cidr(address, address instanceof Ip4Address ? 32 : 128));
    }

    static IpPrefix prefix(Cidr cidr) {
        byte[] bytes = switch (cidr.network()) {
            case Ip4Address a -> ByteBuffer.allocate(4).putInt(a.value()).array();
            case Ip6Address a -> ByteBuffer.allocate(16).putLong(a.high()).putLong(a.low()).array();
        };
        return new IpPrefix(bytes, cidr.prefixLength());
    }
}
